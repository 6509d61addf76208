import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Event } from "@flock/contracts";
import { createDb, insertGroups, makeEvent, newId, relayOutbox, runBatch } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { count, eventsAbout, newPost, newUser, scopeOf } from "../test/helpers";
import { createComment, listComments } from "./comments";
import { comments, outbox } from "./db/schema";
import { REMOVAL_PAGE } from "./events";
import worker from "./index";
import { reportComment } from "./reports";
import { inboxes } from "./service";

async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    "comments-inbox",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

function postDeleted(postId: string, authorId: string): Event {
  return makeEvent("posts", "test", "post.deleted", { postId, authorId, sharedPostId: null });
}

function userDeleted(userId: string): Event {
  return makeEvent("users", "test", "user.deleted", { userId });
}

const commentsOf = async (postId: string, viewerId: string | null = null) =>
  (await listComments(scopeOf(viewerId), postId, { limit: 100 })).items.map((c) => c.authorId);

const reportsBy = (reporterId: string) =>
  count("SELECT count(*) AS n FROM reports WHERE reporter_id = ?", reporterId);

describe("the comments inbox", () => {
  it("deletes a deleted post's comments and their reports, and nothing else", async () => {
    const [post, other, reporter] = [newPost(), newPost(), newUser()];
    const doomed = await createComment(scopeOf(newUser()), post, { body: "on the post" });
    await createComment(scopeOf(newUser()), post, { body: "viagra, held" });
    const kept = await createComment(scopeOf(newUser()), other, { body: "elsewhere" });
    await reportComment(scopeOf(reporter), doomed.id, { reason: "meh" });
    await reportComment(scopeOf(reporter), kept.id, { reason: "meh" });

    const result = await deliver([postDeleted(post.postId, post.authorId)]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await count("SELECT count(*) AS n FROM comments WHERE post_id = ?", post.postId)).toBe(
      0,
    );
    expect(await reportsBy(reporter)).toBe(1);
    expect(await commentsOf(other.postId)).toEqual([kept.authorId]);
    expect(await eventsAbout(doomed.id, "comment.deleted")).toEqual([]);
  });

  it("deletes a deleted user's comments, telling the posts service of each, and their reports", async () => {
    const [leaving, staying] = [newUser(), newUser()];
    const [post, other] = [newPost(), newPost()];
    const visible = await createComment(scopeOf(leaving), post, { body: "bye" });
    const held = await createComment(scopeOf(leaving), other, { body: "viagra, held" });
    const theirs = await createComment(scopeOf(staying), post, { body: "still here" });
    await reportComment(scopeOf(leaving), theirs.id, { reason: "meh" });
    await reportComment(scopeOf(staying), visible.id, { reason: "meh" });

    const result = await deliver([userDeleted(leaving)]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await commentsOf(post.postId, post.authorId)).toEqual([staying]);
    expect(await commentsOf(other.postId, other.authorId)).toEqual([]);
    expect(await reportsBy(leaving)).toBe(0);
    expect(await reportsBy(staying)).toBe(0);
    expect((await eventsAbout(visible.id, "comment.deleted")).map((e) => e.data)).toEqual([
      { commentId: visible.id, postId: post.postId, authorId: leaving, wasVisible: true },
    ]);
    expect((await eventsAbout(held.id, "comment.deleted")).map((e) => e.data)).toEqual([
      { commentId: held.id, postId: other.postId, authorId: leaving, wasVisible: false },
    ]);
  });

  it("emits one comment.deleted per comment of a prolific user", async () => {
    const [leaving, post] = [newUser(), newPost()];
    for (let i = 0; i < 40; i++) {
      await createComment(scopeOf(leaving), post, { body: `comment number ${i}` });
    }
    await deliver([userDeleted(leaving)]);
    const deleted = await eventsAbout(post.postId, "comment.deleted");
    expect(new Set(deleted.map((event) => event.data.commentId)).size).toBe(40);
    expect(deleted).toHaveLength(40);
  });

  it("removes a very prolific user's comments a page per event, announcing every one", async () => {
    const [leaving, post] = [newUser(), newPost()];
    const now = new Date().toISOString();
    const rows = Array.from({ length: REMOVAL_PAGE * 2 + 10 }, (_, i) => ({
      id: newId(),
      postId: post.postId,
      parentId: null,
      authorId: leaving,
      postAuthorId: post.authorId,
      body: `comment number ${i}`,
      number: 1_000_000 + i,
      status: "visible" as const,
      createdAt: now,
      updatedAt: now,
    }));
    const db = createDb(env.DB);
    await runBatch(
      db,
      insertGroups(comments, rows).map((group) => db.insert(comments).values(group)),
    );
    const left = () => count("SELECT count(*) AS n FROM comments WHERE author_id = ?", leaving);
    await deliver([userDeleted(leaving)]);
    expect(await left()).toBe(rows.length - REMOVAL_PAGE);
    // Each follow-up event is sent to this inbox and removes one more page.
    for (let page = 0; page < 2; page++) {
      const [next] = await eventsAbout(leaving, "user.comments_removal_continued").then((events) =>
        events.slice(page),
      );
      if (!next) throw new Error(`no follow-up event for page ${page + 2}`);
      expect((await deliver([next])).explicitAcks).toEqual(["m0"]);
    }
    expect(await left()).toBe(0);
    expect(await eventsAbout(leaving, "user.comments_removal_continued")).toHaveLength(2);
    const deleted = await eventsAbout(post.postId, "comment.deleted");
    expect(new Set(deleted.map((event) => event.data.commentId)).size).toBe(rows.length);
  });

  it("changes nothing when an event is delivered again", async () => {
    const [leaving, post] = [newUser(), newPost()];
    const comment = await createComment(scopeOf(leaving), post, { body: "bye" });
    const event = userDeleted(leaving);
    const first = await deliver([event, event]);
    expect(first.explicitAcks).toEqual(["m0", "m1"]);
    // A comment written after the event was applied is not the event's to delete.
    const later = await createComment(scopeOf(leaving), post, { body: "still typing" });
    const again = await deliver([event]);
    expect(again.explicitAcks).toEqual(["m0"]);
    expect(await eventsAbout(comment.id, "comment.deleted")).toHaveLength(1);
    expect(await commentsOf(post.postId)).toEqual([later.authorId]);
  });

  it("retries a malformed message instead of dropping it", async () => {
    const result = await deliver([{ type: "post.deleted", version: 2, data: {} }]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(result.explicitAcks).toEqual([]);
  });

  it("retries an event meant for another inbox", async () => {
    const event = makeEvent("posts", "test", "post.liked", {
      postId: newUser(),
      postAuthorId: newUser(),
      userId: newUser(),
    });
    const result = await deliver([event]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
  });
});

describe("the outbox", () => {
  const unsent = async (commentId: string) =>
    count(
      "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND payload LIKE ?",
      `%${commentId}%`,
    );

  it("keeps an event whose send failed, and the cron relay sends it later", async () => {
    const comment = await createComment(scopeOf(newUser()), newPost(), { body: "hello" });
    const failing = {
      send: () => Promise.reject(new Error("queue down")),
      sendBatch: () => Promise.reject(new Error("queue down")),
    } as unknown as Queue;
    const broken = await relayOutbox(createDb(env.DB), outbox, {
      ...inboxes(env),
      notifications: failing,
    });
    expect(broken.failed).toBeGreaterThan(0);
    expect(await unsent(comment.id)).toBe(1);

    await worker.scheduled(createScheduledController(), env);
    expect(await unsent(comment.id)).toBe(0);
  });
});
