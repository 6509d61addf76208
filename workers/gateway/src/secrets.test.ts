import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { gatewayWith, tokenFor } from "../test/helpers";
import { EXAMPLE_JWT_SECRET } from "./example-secret";

describe("the JWT secrets a deployment may run with", () => {
  it("refuses to serve with the public example secret outside a local run, and says why in the log", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      for (const secrets of [
        { JWT_SECRET: EXAMPLE_JWT_SECRET },
        { JWT_PREVIOUS_SECRET: EXAMPLE_JWT_SECRET },
      ]) {
        const reply = await gatewayWith(secrets, "/v1/posts");
        expect(reply.status).toBe(500);
        // The reason is for the operator, in the log; the client learns only that it failed.
        expect(JSON.stringify(await reply.json())).not.toContain("secret");
      }
      expect(logged.mock.calls.flat().join("\n")).toContain("example secret");
    } finally {
      logged.mockRestore();
    }
  });

  it("allows the example secret in a local run", async () => {
    const reply = await gatewayWith(
      { JWT_SECRET: EXAMPLE_JWT_SECRET, LOCAL_RUN: "true" },
      "/v1/health",
    );
    expect(reply.status).not.toBe(500);
  });

  it("counts a secret's bytes: 32 in 16 characters is enough, 31 is not", async () => {
    const accented = "é".repeat(16);
    const headers = { authorization: `Bearer ${await tokenFor()}` };
    // The token was signed with the configured secret: under another it is a 401, not a 500.
    expect((await gatewayWith({ JWT_SECRET: accented }, "/v1/posts", { headers })).status).toBe(
      401,
    );
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const short = await gatewayWith({ JWT_SECRET: "a".repeat(31) }, "/v1/posts", { headers });
      expect(short.status).toBe(500);
      expect(logged.mock.calls.flat().join("\n")).toContain("32 bytes");
    } finally {
      logged.mockRestore();
    }
    expect(env.JWT_SECRET).not.toBe(EXAMPLE_JWT_SECRET);
  });
});
