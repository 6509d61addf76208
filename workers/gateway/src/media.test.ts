import { describe, it } from "vitest";
import { expectProblem, gateway, tokenFor } from "../test/helpers";

// The media service is not running in these tests: what reaches it answers 503, so a status other
// than 503 shows the gateway answered on its own, without reading the body through.
describe("the gateway's media routes", () => {
  it("refuses an upload whose content-length is over 5 MiB with a 413 before reading it", async () => {
    let pulled = 0;
    const body = new ReadableStream({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
        if (pulled > 2) controller.close();
      },
    });
    const response = await gateway("/v1/media", {
      method: "POST",
      headers: {
        authorization: `Bearer ${await tokenFor()}`,
        "content-type": "image/png",
        "content-length": String(5 * 1024 * 1024 + 1),
      },
      body,
      duplex: "half",
    } as RequestInit);
    await expectProblem(response, { status: 413, title: "Request too large" });
  });

  it("lets an upload past the 64 KiB limit of other bodies, on to the media service", async () => {
    const response = await gateway("/v1/media", {
      method: "POST",
      headers: { authorization: `Bearer ${await tokenFor()}`, "content-type": "image/png" },
      body: new Uint8Array(200 * 1024),
    });
    await expectProblem(response, { status: 503 });
  });

  it("refuses an upload from a signed-out client", async () => {
    const response = await gateway("/v1/media", {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: new Uint8Array(16),
    });
    await expectProblem(response, { status: 401 });
  });

  it("keeps the 64 KiB limit on every other body", async () => {
    const response = await gateway("/v1/posts", {
      method: "POST",
      headers: { authorization: `Bearer ${await tokenFor()}`, "content-type": "application/json" },
      body: JSON.stringify({ body: "x".repeat(70_000) }),
    });
    await expectProblem(response, { status: 413 });
  });
});
