import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Event } from "@flock/contracts";
import { applyOnce, createDb, makeEvent } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { followGraph, outboxTypes, scopeOf, userId } from "../test/helpers";
import { processedEvents } from "./db/schema";
import { applyEvent } from "./events";
import worker from "./index";
import { createPost, getPost } from "./posts";
import { homeFeed } from "./timelines";

const db = () => createDb(env.DB);

async function apply(event: Event, graph = followGraph()) {
  return applyOnce(
    {
      db: db(),
      processed: processedEvents,
      handle: (e) => applyEvent(db(), e, { audience: graph.audience, celebrityFollowers: 1000 }),
    },
    event,
  );
}

async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    "posts-inbox",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const feedOf = async (reader: string, graph = followGraph()) =>
  (await homeFeed(scopeOf(reader), graph.audience, { limit: 100 })).items.map((post) => post.id);

describe("the posts inbox", () => {
  it("fans a post out to every follower beyond the synchronous first page", async () => {
    const graph = followGraph();
    const author = userId();
    const fans = Array.from({ length: 250 }, userId);
    for (const fan of fans) graph.follow(fan, author);
    const post = await createPost(
      scopeOf(author),
      { body: "for everyone" },
      { firstFollowers: await graph.firstFollowers(author) },
    );
    expect(await feedOf(fans[0] ?? "")).toEqual([]); // the oldest follower is not in the first page
    const created = makeEvent("posts", "test", "post.created", {
      postId: post.id,
      authorId: author,
      sharedPostId: null,
      sharedPostAuthorId: null,
      mentions: [],
    });
    expect(await apply(created, graph)).toBe(true);
    for (const fan of [fans[0], fans[120], fans[249]])
      expect(await feedOf(fan ?? "")).toEqual([post.id]);
    expect(await apply(created, graph)).toBe(false);
  });

  it("backfills recent posts on follow and removes them on unfollow", async () => {
    const [author, fan] = [userId(), userId()];
    const post = await createPost(scopeOf(author), { body: "earlier" }, { firstFollowers: null });
    await apply(
      makeEvent("users", "test", "user.followed", { followerId: fan, followeeId: author }),
    );
    expect(await feedOf(fan)).toEqual([post.id]);
    await apply(
      makeEvent("users", "test", "user.unfollowed", { followerId: fan, followeeId: author }),
    );
    expect(await feedOf(fan)).toEqual([]);
  });

  it("counts visible comments once however often their events arrive", async () => {
    const post = await createPost(scopeOf(userId()), { body: "discuss" }, { firstFollowers: null });
    const comment = (id: string, status: "visible" | "held") =>
      makeEvent("comments", "test", "comment.created", {
        commentId: id,
        postId: post.id,
        postAuthorId: post.authorId,
        authorId: userId(),
        parentId: null,
        parentAuthorId: null,
        status,
        mentions: [],
      });
    const visible = comment("01JD0000000000000000000001", "visible");
    const result = await deliver([visible, visible, comment("01JD0000000000000000000002", "held")]);
    expect(result.explicitAcks).toEqual(["m0", "m1", "m2"]);
    expect((await getPost(scopeOf(), post.id)).commentCount).toBe(1);
    await deliver([
      makeEvent("comments", "test", "comment.visibility_changed", {
        commentId: "01JD0000000000000000000002",
        postId: post.id,
        visible: true,
      }),
    ]);
    await deliver([
      makeEvent("comments", "test", "comment.deleted", {
        commentId: "01JD0000000000000000000001",
        postId: post.id,
        authorId: userId(),
        wasVisible: true,
      }),
    ]);
    expect((await getPost(scopeOf(), post.id)).commentCount).toBe(1);
  });

  it("retries a malformed message instead of dropping it", async () => {
    const result = await deliver([{ type: "comment.created", data: {} }]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toEqual([]);
  });

  it("deletes an account's posts and likes, and announces each deleted post", async () => {
    const [leaving, other] = [userId(), userId()];
    const mine = await createPost(scopeOf(leaving), { body: "mine" }, { firstFollowers: null });
    const theirs = await createPost(scopeOf(other), { body: "theirs" }, { firstFollowers: null });
    const { like } = await import("./likes");
    await like(scopeOf(leaving), theirs.id);
    await deliver([makeEvent("users", "test", "user.deleted", { userId: leaving })]);
    expect((await getPost(scopeOf(), theirs.id)).likeCount).toBe(0);
    await expect(getPost(scopeOf(), mine.id)).rejects.toMatchObject({ code: "not_found" });
    expect((await outboxTypes()).filter((type) => type === "post.deleted")).toHaveLength(1);
  });
});

describe("the author replica", () => {
  it("keeps each author's newest profile, whatever order the events arrive in", async () => {
    const author = userId();
    const post = await createPost(
      scopeOf(author),
      { body: "who wrote this?" },
      { firstFollowers: null },
    );
    expect((await getPost(scopeOf(), post.id)).author).toBeNull();
    const profile = (displayName: string, occurredAt: string) => ({
      ...makeEvent("users", "test", "user.updated", {
        userId: author,
        handle: "writer",
        displayName,
        avatarUrl: null,
      }),
      occurredAt,
    });
    await apply(profile("New name", "2026-11-22T10:00:00.000Z"));
    await apply(profile("Old name", "2026-11-22T09:00:00.000Z"));
    expect((await getPost(scopeOf(), post.id)).author).toEqual({
      id: author,
      handle: "writer",
      displayName: "New name",
      avatarUrl: null,
    });
    await apply(makeEvent("users", "test", "user.deleted", { userId: author }));
    await expect(getPost(scopeOf(), post.id)).rejects.toMatchObject({ code: "not_found" });
  });
});
