import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Event } from "@flock/contracts";
import {
  createDb,
  insertGroups,
  makeEvent,
  newId,
  RELAY_GRACE_MS,
  relayOutbox,
  runBatch,
  toResult,
} from "@flock/kit";
import { describe, expect, it } from "vitest";
import { count, eventsAbout, newPost, newUser, scopeOf } from "../test/helpers";
import { createComment, listComments, updateComment } from "./comments";
import { comments, outbox } from "./db/schema";
import { REMOVAL_PAGE } from "./events";
import worker from "./index";
import { RELEASE_PAGE, reportComment } from "./reports";
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
  return makeEvent("posts", { requestId: "test" }, "post.deleted", {
    postId,
    authorId,
    sharedPostId: null,
  });
}

function userDeleted(userId: string): Event {
  return makeEvent("users", { requestId: "test" }, "user.deleted", { userId });
}

/**
 * Delivers an account's deletion and then each follow-up event it sends this inbox, as the queue
 * would, until none is left; answers how many follow-ups there were.
 */
async function deleteAccount(userId: string): Promise<number> {
  expect((await deliver([userDeleted(userId)])).explicitAcks).toEqual(["m0"]);
  for (let followUps = 0; ; followUps++) {
    const { results } = await env.DB.prepare(
      "SELECT payload FROM outbox WHERE type = 'user.comments_removal_continued' AND payload LIKE ? AND id NOT IN (SELECT id FROM processed_events)",
    )
      .bind(`%${userId}%`)
      .all<{ payload: string }>();
    if (results.length === 0) return followUps;
    expect((await deliver(results.map((row) => JSON.parse(row.payload)))).retryMessages).toEqual(
      [],
    );
  }
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

    await deleteAccount(leaving);
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
    await deleteAccount(leaving);
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
    // The deletion only records the tombstone; each follow-up event removes one page.
    await deliver([userDeleted(leaving)]);
    expect(await left()).toBe(rows.length);
    for (let page = 0; page < 3; page++) {
      const [next] = await eventsAbout(leaving, "user.comments_removal_continued").then((events) =>
        events.slice(page),
      );
      if (!next) throw new Error(`no follow-up event for page ${page + 2}`);
      expect((await deliver([next])).explicitAcks).toEqual(["m0"]);
      expect(await left()).toBe(Math.max(0, rows.length - REMOVAL_PAGE * (page + 1)));
    }
    expect(await eventsAbout(leaving, "user.comments_removal_continued")).toHaveLength(3);
    const deleted = await eventsAbout(post.postId, "comment.deleted");
    expect(new Set(deleted.map((event) => event.data.commentId)).size).toBe(rows.length);
  });

  it("changes nothing when an event is delivered again", async () => {
    const [leaving, post] = [newUser(), newPost()];
    const comment = await createComment(scopeOf(leaving), post, { body: "bye" });
    const event = userDeleted(leaving);
    const first = await deliver([event, event]);
    expect(first.explicitAcks).toEqual(["m0", "m1"]);
    const [followUp] = await eventsAbout(leaving, "user.comments_removal_continued");
    if (!followUp) throw new Error("no follow-up event");
    expect((await deliver([followUp, followUp])).explicitAcks).toEqual(["m0", "m1"]);
    expect((await deliver([event])).explicitAcks).toEqual(["m0"]);
    expect(await eventsAbout(leaving, "user.comments_removal_continued")).toHaveLength(1);
    expect(await eventsAbout(comment.id, "comment.deleted")).toHaveLength(1);
    expect(await commentsOf(post.postId)).toEqual([]);
  });

  it("retries a malformed message instead of dropping it", async () => {
    const result = await deliver([{ type: "post.deleted", version: 2, data: {} }]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(result.explicitAcks).toEqual([]);
  });

  it("retries an event meant for another inbox", async () => {
    const event = makeEvent("posts", { requestId: "test" }, "post.liked", {
      postId: newUser(),
      postAuthorId: newUser(),
      userId: newUser(),
    });
    const result = await deliver([event]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
  });
});

describe("an account the comments service knows is deleted", () => {
  it("can neither comment nor report, from the moment its deletion is recorded", async () => {
    const [leaving, post] = [newUser(), newPost()];
    const theirs = await createComment(scopeOf(newUser()), post, { body: "still here" });
    await deliver([userDeleted(leaving)]);
    for (const write of [
      () => createComment(scopeOf(leaving), post, { body: "too late" }),
      () => reportComment(scopeOf(leaving), theirs.id, { reason: "too late" }),
    ]) {
      expect(await toResult("test", write)).toMatchObject({
        ok: false,
        error: { code: "unauthorized" },
      });
    }
    expect(await count("SELECT count(*) AS n FROM comments WHERE author_id = ?", leaving)).toBe(0);
    expect(await reportsBy(leaving)).toBe(0);
    expect(await eventsAbout(post.postId, "comment.created")).toHaveLength(1);
  });

  it("removes what it wrote before the tombstone only after it, so nothing slips in between", async () => {
    const [leaving, post] = [newUser(), newPost()];
    const before = await createComment(scopeOf(leaving), post, { body: "just in time" });
    await deliver([userDeleted(leaving)]);
    // The tombstone is in place and the comment still there: the removal that reads it follows.
    expect(await commentsOf(post.postId)).toEqual([leaving]);
    expect(
      await toResult("test", () => createComment(scopeOf(leaving), post, { body: "too late" })),
    ).toMatchObject({ ok: false, error: { code: "unauthorized" } });
    await deliver(await eventsAbout(leaving, "user.comments_removal_continued"));
    expect(await commentsOf(post.postId)).toEqual([]);
    expect(await eventsAbout(before.id, "comment.deleted")).toHaveLength(1);
  });
});

describe("the reports of a deleted account", () => {
  const reportBy = (reporter: string, commentId: string) =>
    reportComment(scopeOf(reporter), commentId, { reason: "abusive" });

  it("no longer count: a comment they helped hide is shown again, and announced", async () => {
    const [post, author, leaving] = [newPost(), newUser(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "hot take" });
    for (const reporter of [leaving, newUser(), newUser()]) await reportBy(reporter, comment.id);
    expect(await commentsOf(post.postId)).toEqual([]);

    await deleteAccount(leaving);
    expect(await commentsOf(post.postId)).toEqual([author]);
    expect(
      (await eventsAbout(comment.id, "comment.visibility_changed")).map((e) => e.data.visible),
    ).toEqual([false, true]);
    expect(await reportsBy(leaving)).toBe(0);
  });

  it("leave a comment hidden that three others still report", async () => {
    const [post, author, leaving] = [newPost(), newUser(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "hot take" });
    // The post's author can still see, and so report, a hidden comment.
    for (const reporter of [leaving, newUser(), newUser(), post.authorId])
      await reportBy(reporter, comment.id);
    await deleteAccount(leaving);
    expect(await commentsOf(post.postId)).toEqual([]);
    expect(await eventsAbout(comment.id, "comment.visibility_changed")).toHaveLength(1);
  });

  it("do not help hide a comment reported after the deletion", async () => {
    const [post, author, leaving] = [newPost(), newUser(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "hot take" });
    await reportBy(leaving, comment.id);
    await deliver([userDeleted(leaving)]);
    await reportBy(newUser(), comment.id);
    await reportBy(newUser(), comment.id);
    expect(await commentsOf(post.postId)).toEqual([author]);
  });

  it("hold, rather than show, a hidden comment whose body was edited to break a rule", async () => {
    const [post, author, leaving] = [newPost(), newUser(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "hot take" });
    for (const reporter of [leaving, newUser(), newUser()]) await reportBy(reporter, comment.id);
    await updateComment(scopeOf(author), comment.id, { body: "buy viagra" });
    await deleteAccount(leaving);
    expect(await commentsOf(post.postId, author)).toEqual([author]);
    const [row] = (await listComments(scopeOf(author), post.postId, { limit: 10 })).items;
    expect(row?.status).toBe("held");
    expect(await eventsAbout(comment.id, "comment.visibility_changed")).toHaveLength(1);
  });

  it("are taken back a page per event when they helped hide many comments", async () => {
    const [post, leaving] = [newPost(), newUser()];
    const hidden: string[] = [];
    for (let i = 0; i < RELEASE_PAGE + 5; i++) {
      const comment = await createComment(scopeOf(newUser()), post, { body: `take ${i}` });
      for (const reporter of [leaving, newUser(), newUser()]) await reportBy(reporter, comment.id);
      hidden.push(comment.id);
    }
    // Two pages of releases, then the (empty) page of the account's own comments.
    expect(await deleteAccount(leaving)).toBe(3);
    expect(await commentsOf(post.postId)).toHaveLength(hidden.length);
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

    // A fresh row may be a write's own relay still under way: the cron leaves it for now ...
    await worker.scheduled(createScheduledController(), env);
    expect(await unsent(comment.id)).toBe(1);
    // ... and sends it once it has stayed unsent for longer than the grace.
    await env.DB.prepare("UPDATE outbox SET created_at = created_at - ?")
      .bind(RELAY_GRACE_MS)
      .run();
    await worker.scheduled(createScheduledController(), env);
    expect(await unsent(comment.id)).toBe(0);
  });

  it("has a queue for every inbox its events go to, its own included", async () => {
    const leaving = newUser();
    await deliver([userDeleted(leaving)]);
    expect(await eventsAbout(leaving, "user.comments_removal_continued")).toHaveLength(1);
    expect(await relayOutbox(createDb(env.DB), outbox, inboxes(env))).toMatchObject({ failed: 0 });
    expect(await unsent(leaving)).toBe(0);
  });
});
