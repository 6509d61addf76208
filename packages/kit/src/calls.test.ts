import type { CallContext, Result } from "@flock/contracts";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { awaitService, budgetMs, callService, DEFAULT_DEADLINE_MS } from "./calls";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const code = (error: unknown) => (error as { code?: string }).code;

describe("budgetMs", () => {
  it("grants half of what is left of the caller's deadline, and the default without one", () => {
    const now = 1_000_000;
    expect(budgetMs({ requestId: "r", actorId: null, deadline: now + 400 }, now)).toBe(200);
    expect(budgetMs({ requestId: "r", actorId: null }, now)).toBe(DEFAULT_DEADLINE_MS);
    expect(budgetMs({ requestId: "r", actorId: null, deadline: now - 5 }, now)).toBeLessThan(0);
  });
});

describe("callService", () => {
  it("passes its own, earlier deadline on to the worker it calls", async () => {
    const deadline = Date.now() + 1_000;
    let seen: CallContext | undefined;
    const value = await callService(
      { requestId: "r", actorId: "u", deadline },
      "users",
      async (call) => {
        seen = call;
        return ok(42);
      },
      { idempotent: true },
    );
    expect(value).toBe(42);
    expect(seen?.actorId).toBe("u");
    expect(seen?.deadline).toBeLessThan(deadline - 400);
  });

  it("gives up within its share of the caller's deadline when the other worker stalls", async () => {
    const started = Date.now();
    const stalled = callService(
      { requestId: "r", actorId: null, deadline: started + 300 },
      "users",
      () => sleep(2_000).then(() => ok(1)),
      { idempotent: true },
    );
    await expect(stalled).rejects.toMatchObject({ code: "unavailable" });
    expect(Date.now() - started).toBeLessThan(300);
  });

  it("does not start a call once the caller's deadline has passed", async () => {
    let started = false;
    const late = callService(
      { requestId: "r", actorId: null, deadline: Date.now() - 1 },
      "posts",
      async () => {
        started = true;
        return ok(1);
      },
      { idempotent: true },
    );
    await expect(late).rejects.toMatchObject({ code: "unavailable" });
    expect(started).toBe(false);
  });
});

describe("awaitService", () => {
  const options = { requestId: "r", deadlineMs: 1_000 };

  it("retries a read once when the binding throws, and never a write", async () => {
    let reads = 0;
    const read = await awaitService(
      "users",
      async () => {
        reads += 1;
        if (reads === 1) throw new Error("binding failed");
        return ok("second try");
      },
      { ...options, idempotent: true },
    );
    expect(read).toBe("second try");
    let writes = 0;
    const write = awaitService(
      "users",
      async () => {
        writes += 1;
        throw new Error("binding failed");
      },
      { ...options, idempotent: false },
    );
    await expect(write).rejects.toMatchObject({ code: "unavailable" });
    expect(writes).toBe(1);
  });

  it("keeps the other service's own failure, and does not retry it", async () => {
    let tries = 0;
    const failure = awaitService(
      "posts",
      async (): Promise<Result<number>> => {
        tries += 1;
        return { ok: false, error: { code: "not_found", detail: "No such post." } };
      },
      { ...options, idempotent: true },
    );
    expect(await failure.catch(code)).toBe("not_found");
    expect(tries).toBe(1);
  });

  it("treats an answer of the wrong shape as the other worker failing", async () => {
    // A worker answering outside its contract: what the types promise is not what arrives.
    const wrong = ok({ postId: 7 }) as unknown as Result<{ postId: string }>;
    const answer = awaitService("posts", async () => wrong, {
      ...options,
      idempotent: true,
      schema: z.object({ postId: z.string() }),
    });
    expect(await answer.catch(code)).toBe("unavailable");
  });
});
