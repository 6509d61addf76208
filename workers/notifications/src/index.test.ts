import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventOf, inboxOf, newUserId } from "../test/helpers";
import worker from "./index";

async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    "notifications-inbox",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("the notifications inbox", () => {
  it("acks each event it applies and notifies its recipient", async () => {
    const [fan, star, author] = [newUserId(), newUserId(), newUserId()];
    const result = await deliver([
      eventOf("user.followed", { followerId: fan, followeeId: star }),
      eventOf("post.liked", { postId: newUserId(), postAuthorId: author, userId: fan }),
    ]);
    expect(result.explicitAcks).toEqual(["m0", "m1"]);
    expect(result.retryMessages).toEqual([]);
    expect((await inboxOf(star)).map((item) => item.type)).toEqual(["follow"]);
    expect((await inboxOf(author)).map((item) => item.type)).toEqual(["like"]);
  });

  it("notifies once however often an event is delivered", async () => {
    const [fan, star] = [newUserId(), newUserId()];
    const event = eventOf("user.followed", { followerId: fan, followeeId: star });
    expect((await deliver([event, event])).explicitAcks).toEqual(["m0", "m1"]);
    expect((await deliver([event])).explicitAcks).toEqual(["m0"]);
    expect(await inboxOf(star)).toHaveLength(1);
  });

  it("retries a malformed message instead of dropping it", async () => {
    const result = await deliver([{ type: "user.followed", version: 2, data: {} }]);
    expect(result.retryMessages.map((message) => message.msgId)).toEqual(["m0"]);
    expect(result.explicitAcks).toEqual([]);
  });

  it("retries an event it does not subscribe to", async () => {
    const result = await deliver([
      eventOf("user.unfollowed", { followerId: newUserId(), followeeId: newUserId() }),
    ]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toEqual([]);
  });

  it("retries a mention while the users service cannot resolve it, and applies nothing", async () => {
    // The users worker is absent from these tests, so its binding fails like a service that is down.
    const [author, original] = [newUserId(), newUserId()];
    const [share, follow] = [
      eventOf("post.created", {
        postId: newUserId(),
        authorId: author,
        sharedPostId: newUserId(),
        sharedPostAuthorId: original,
        mentions: ["someone"],
      }),
      eventOf("user.followed", { followerId: author, followeeId: original }),
    ];
    const result = await deliver([share, follow]);
    expect(result.retryMessages.map((message) => message.msgId)).toEqual(["m0"]);
    expect(result.explicitAcks).toEqual(["m1"]);
    expect((await inboxOf(original)).map((item) => item.type)).toEqual(["follow"]);
  });
});
