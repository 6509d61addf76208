import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  checkHealth,
  createDb,
  DEFAULT_HEALTH_THRESHOLDS,
  judgeHealth,
  makeEvent,
  relayOutbox,
} from "@flock/kit";
import { describe, expect, it } from "vitest";
import { newUser, scopeOf } from "../test/helpers";
import { outbox } from "./db/schema";
import { follow } from "./follows";
import worker from "./index";
import { inboxes, UsersService } from "./service";

const MINUTE = 60_000;

async function deliver(queue: string, id: string, body: unknown, timestamp = new Date()) {
  const batch = createMessageBatch(queue, [{ id, timestamp, attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

/** The users service's health as the gateway would read it `later` ms from now. */
const healthIn = (later: number) =>
  checkHealth("users", env.DB, { producer: true }, Date.now() + later);

describe("the users service's health", () => {
  it("answers its figures over RPC, all clear on a quiet database", async () => {
    const ctx = createExecutionContext();
    const health = await new UsersService(ctx, env).health();
    await waitOnExecutionContext(ctx);
    expect(health).toEqual({
      service: "users",
      database: "ok",
      details: {
        unsentEvents: 0,
        oldestUnsentAgeMs: null,
        deadLetters: 0,
        oldestUnprocessedAgeMs: null,
      },
    });
    expect(judgeHealth(health, DEFAULT_HEALTH_THRESHOLDS)).toBe("ok");
  });

  it("counts an unsent outbox row, and is degraded once it is older than the stuck threshold", async () => {
    const [fan, star] = [await newUser("hfan"), await newUser("hstar")];
    await follow(scopeOf(fan.id), star.handle);
    const failing = {
      send: () => Promise.reject(new Error("queue down")),
      sendBatch: () => Promise.reject(new Error("queue down")),
    } as unknown as Queue;
    await relayOutbox(createDb(env.DB), outbox, { ...inboxes(env), notifications: failing });

    const now = await healthIn(0);
    expect(now.details?.unsentEvents).toBeGreaterThan(0);
    expect(judgeHealth(now, DEFAULT_HEALTH_THRESHOLDS)).toBe("ok");
    const later = await healthIn(6 * MINUTE);
    expect(later.details?.oldestUnsentAgeMs).toBeGreaterThan(5 * MINUTE);
    expect(judgeHealth(later, DEFAULT_HEALTH_THRESHOLDS)).toBe("degraded");

    await env.DB.prepare("UPDATE outbox SET sent_at = created_at").run();
    expect((await healthIn(6 * MINUTE)).details).toMatchObject({
      unsentEvents: 0,
      oldestUnsentAgeMs: null,
    });
  });

  it("dates a failing message from its enqueue time, until it is applied", async () => {
    const author = await newUser("hauthor");
    const event = makeEvent("posts", { requestId: "test" }, "post.created", {
      postId: "01JD0000000000000000000077",
      authorId: author.id,
      sharedPostId: null,
      sharedPostAuthorId: null,
      mentions: [],
    });
    // Enqueued ten minutes ago, and failing now: a handler statement meets a missing table.
    await env.DB.prepare("ALTER TABLE authored_posts RENAME TO authored_later").run();
    const enqueued = new Date(Date.now() - 10 * MINUTE);
    try {
      expect((await deliver("users-inbox", "lag-1", event, enqueued)).retryMessages).toHaveLength(
        1,
      );
    } finally {
      await env.DB.prepare("ALTER TABLE authored_later RENAME TO authored_posts").run();
    }
    const waiting = await healthIn(0);
    expect(waiting.details?.oldestUnprocessedAgeMs).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(judgeHealth(waiting, DEFAULT_HEALTH_THRESHOLDS)).toBe("degraded");

    // Its retry applies it: nothing waits any more.
    expect((await deliver("users-inbox", "lag-1", event, enqueued)).explicitAcks).toEqual([
      "lag-1",
    ]);
    const applied = await healthIn(0);
    expect(applied.details?.oldestUnprocessedAgeMs).toBeNull();
    expect(judgeHealth(applied, DEFAULT_HEALTH_THRESHOLDS)).toBe("ok");
  });

  it("counts a dead letter, and no longer counts its message as waiting", async () => {
    const poison = { id: "health-poison", type: "post.created", version: 99 };
    await deliver("users-inbox", "p0", poison);
    expect((await healthIn(0)).details?.oldestUnprocessedAgeMs).toEqual(expect.any(Number));
    await deliver("users-dlq", "d-health", poison);
    const health = await healthIn(0);
    expect(health.details).toMatchObject({ deadLetters: 1, oldestUnprocessedAgeMs: null });
    expect(judgeHealth(health, DEFAULT_HEALTH_THRESHOLDS)).toBe("degraded");
    await env.DB.prepare("DELETE FROM dead_letters").run();
  });

  it("is down, with no error text, when its database does not answer", async () => {
    // The real binding, but every query it is asked fails as a lost connection does.
    const unreachable = new Proxy(env.DB, {
      get(target, property) {
        if (property !== "prepare") return Reflect.get(target, property, target);
        return () => {
          throw new Error("D1_ERROR: Network connection lost (secret detail)");
        };
      },
    });
    const health = await checkHealth("users", unreachable, { producer: true });
    expect(health).toEqual({ service: "users", database: "down" });
    expect(judgeHealth(health, DEFAULT_HEALTH_THRESHOLDS)).toBe("down");
  });
});
