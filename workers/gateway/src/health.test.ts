import { describe, expect, it, vi } from "vitest";
import { gateway } from "../test/helpers";
import { presentsOperatorToken } from "./operator";
import { thresholds } from "./routes/health";

const OPERATOR = { OPERATOR_TOKEN: "operator-token-0123456789abcdef-0123" };

describe("the operator token", () => {
  it("matches only itself", async () => {
    expect(await presentsOperatorToken(OPERATOR, OPERATOR.OPERATOR_TOKEN)).toBe(true);
    expect(await presentsOperatorToken(OPERATOR, `${OPERATOR.OPERATOR_TOKEN}x`)).toBe(false);
    expect(await presentsOperatorToken(OPERATOR, "operator")).toBe(false);
    expect(await presentsOperatorToken(OPERATOR, "")).toBe(false);
    expect(await presentsOperatorToken(OPERATOR, undefined)).toBe(false);
  });

  it("matches nothing while unset or too short to be safe", async () => {
    expect(await presentsOperatorToken({}, "")).toBe(false);
    expect(await presentsOperatorToken({ OPERATOR_TOKEN: "" }, "")).toBe(false);
    expect(await presentsOperatorToken({ OPERATOR_TOKEN: "short" }, "short")).toBe(false);
  });
});

describe("the health thresholds", () => {
  it("read the vars, and fall back to five minutes when one is missing or not a number", () => {
    expect(thresholds({ HEALTH_STUCK_MS: "1000", HEALTH_LAG_MS: "0" })).toEqual({
      stuckMs: 1000,
      lagMs: 0,
    });
    expect(thresholds({ HEALTH_STUCK_MS: "soon", HEALTH_LAG_MS: "" })).toEqual({
      stuckMs: 300_000,
      lagMs: 300_000,
    });
  });
});

describe("GET /v1/health with no service running", () => {
  it("answers 503 with every service down, and no word of why", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const reply = await gateway("/v1/health");
      expect(reply.status).toBe(503);
      const body = (await reply.json()) as { status: string; services: unknown[] };
      expect(body).toEqual({
        status: "down",
        services: ["users", "posts", "comments", "notifications", "media", "search", "live"].map(
          (service) => ({ service, status: "down" }),
        ),
      });
      // The reasons are in the log only.
      expect(logged.mock.calls.flat().join("\n")).toContain("health probe failed");
    } finally {
      logged.mockRestore();
    }
  });
});
