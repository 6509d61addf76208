import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventOf, newId, scopeOf } from "../test/helpers";
import worker from "./index";
import { searchUsers } from "./search";

async function deliver(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("the search inbox", () => {
  it("acks the events it applies, once however often they come", async () => {
    const handle = `inbox_${newId().slice(-8).toLowerCase()}`;
    const event = eventOf("user.registered", {
      userId: newId(),
      handle,
      displayName: "Inbox Test",
      avatarUrl: null,
    });
    const result = await deliver("search-inbox", [event, event]);
    expect(result.explicitAcks).toEqual(["m0", "m1"]);
    expect((await searchUsers(scopeOf(), { q: handle })).items).toHaveLength(1);
  });

  it("retries a post event while the posts service cannot be read, applying nothing", async () => {
    // The posts worker is absent from these tests: its binding fails like a service that is down.
    const result = await deliver("search-inbox", [
      eventOf("post.created", {
        postId: newId(),
        authorId: newId(),
        sharedPostId: null,
        sharedPostAuthorId: null,
        mentions: [],
      }),
    ]);
    expect(result.retryMessages.map((message) => message.msgId)).toEqual(["m0"]);
    expect(result.explicitAcks).toEqual([]);
  });

  it("retries a malformed message and one it does not subscribe to", async () => {
    const result = await deliver("search-inbox", [
      { type: "user.registered", version: 2, data: {} },
      eventOf("user.followed", { followerId: newId(), followeeId: newId() }),
    ]);
    expect(result.retryMessages.map((message) => message.msgId)).toEqual(["m0", "m1"]);
  });

  it("keeps a dead letter with its body", async () => {
    const body = { type: "nonsense" };
    const result = await deliver("search-dlq", [body]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const row = await env.DB.prepare("SELECT body FROM dead_letters").first<{ body: string }>();
    expect(JSON.parse(row?.body ?? "null")).toEqual(body);
  });
});
