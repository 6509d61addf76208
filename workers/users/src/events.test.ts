import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Event } from "@flock/contracts";
import {
  consumeInbox,
  createDb,
  makeEvent,
  newId,
  RELAY_GRACE_MS,
  relayOutbox,
  toResult,
} from "@flock/kit";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newUser, PASSWORD, scopeOf } from "../test/helpers";
import { deleteMe, updateMe } from "./accounts";
import { inboxFailures, outbox, processedEvents } from "./db/schema";
import { applyEvent } from "./events";
import { follow } from "./follows";
import { sendFriendRequest } from "./friends";
import worker from "./index";
import { getProfile } from "./profiles";
import { inboxes, UsersService } from "./service";

function postCreated(authorId: string, postId = "01JD0000000000000000000000"): Event {
  return makeEvent("posts", { requestId: "test" }, "post.created", {
    postId,
    authorId,
    sharedPostId: null,
    sharedPostAuthorId: null,
    mentions: [],
  });
}

async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    "users-inbox",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const unsent = async () =>
  (
    await env.DB.prepare("SELECT type FROM outbox WHERE sent_at IS NULL").all<{ type: string }>()
  ).results.map((r) => r.type);

describe("the outbox", () => {
  it("keeps an event whose send failed, and the cron relay sends it later", async () => {
    const [fan, star] = [await newUser("fan"), await newUser("star")];
    await follow(scopeOf(fan.id), star.handle);
    const failing = {
      send: () => Promise.reject(new Error("queue down")),
      sendBatch: () => Promise.reject(new Error("queue down")),
    } as unknown as Queue;
    const broken = await relayOutbox(createDb(env.DB), outbox, {
      ...inboxes(env),
      notifications: failing,
    });
    expect(broken.failed).toBeGreaterThan(0);
    expect(await unsent()).toContain("user.followed");

    // A fresh row may be a write's own relay still under way: the cron leaves it for now ...
    await worker.scheduled(createScheduledController(), env);
    expect(await unsent()).toContain("user.followed");
    // ... and sends it once it has stayed unsent for longer than the grace.
    await env.DB.prepare("UPDATE outbox SET created_at = created_at - ?")
      .bind(RELAY_GRACE_MS)
      .run();
    await worker.scheduled(createScheduledController(), env);
    expect(await unsent()).toEqual([]);
  });
});

describe("a write's relay", () => {
  const sentAt = async (type: string, followerId: string) =>
    (
      await env.DB.prepare(
        "SELECT sent_at FROM outbox WHERE type = ? AND json_extract(payload, '$.data.followerId') = ?",
      )
        .bind(type, followerId)
        .first<{ sent_at: number | null }>()
    )?.sent_at;

  it("sends the events its own write made, and leaves any other write's to theirs or the cron", async () => {
    const [fan, other, star] = [
      await newUser("rfan"),
      await newUser("rother"),
      await newUser("rstar"),
    ];
    // Written but not yet relayed: as if another request's relay were still under way.
    await follow(scopeOf(other.id), star.handle);
    const ctx = createExecutionContext();
    const result = await new UsersService(ctx, env).follow(
      { requestId: "relay-test", actorId: fan.id },
      star.handle,
    );
    await waitOnExecutionContext(ctx);
    expect(result.ok).toBe(true);
    expect(await sentAt("user.followed", fan.id)).toEqual(expect.any(Number));
    expect(await sentAt("user.followed", other.id)).toBeNull();
  });
});

describe("the users inbox", () => {
  it("counts a post once, however often its event is delivered", async () => {
    const author = await newUser("author");
    const event = postCreated(author.id);
    const first = await deliver([event, event]);
    expect(first.explicitAcks).toEqual(["m0", "m1"]);
    await deliver([event]);
    expect((await getProfile(scopeOf(), author.handle)).postCount).toBe(1);
  });

  it("applies a batch in one go, and when that fails, retries only the messages that fail", async () => {
    const author = await newUser("batched");
    const postIds = [newId(), newId(), newId()];
    const [fine, raced, broken] = postIds.map((postId) => postCreated(author.id, postId));
    const batch = createMessageBatch(
      "users-inbox",
      [fine, raced, broken].map((body, i) => ({
        id: `m${i}`,
        timestamp: new Date(),
        attempts: 1,
        body,
      })),
    );
    const db = createDb(env.DB);
    const ctx = createExecutionContext();
    await consumeInbox(batch, {
      inbox: "users",
      db,
      processed: processedEvents,
      failures: inboxFailures,
      handle: async (event) => {
        if (event.id === raced?.id) {
          // Another consumer applies the same event between this batch's read and its commit.
          await env.DB.prepare("INSERT INTO processed_events VALUES (?, ?, ?)")
            .bind(event.id, event.type, Date.now())
            .run();
        }
        const statements = await applyEvent(db, event);
        return event.id === broken?.id
          ? [...statements, db.run(sql`SELECT * FROM no_such_table`)]
          : statements;
      },
    });
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m1", "m2"]);
    // The fine post counts. The raced one is the other consumer's to apply (this one recorded only
    // its id), and the broken one rolled back whole, its processed record with it: it counts once
    // its retry succeeds, while the raced one's retry finds the record and changes nothing.
    expect((await getProfile(scopeOf(), author.handle)).postCount).toBe(1);
    expect(await deliver([raced, broken])).toMatchObject({ explicitAcks: ["m0", "m1"] });
    expect((await getProfile(scopeOf(), author.handle)).postCount).toBe(2);
  });

  it("counts an author's live posts whatever order their events arrive in", async () => {
    const author = await newUser("ordered");
    const created = (postId: string) =>
      makeEvent("posts", { requestId: "test" }, "post.created", {
        postId,
        authorId: author.id,
        sharedPostId: null,
        sharedPostAuthorId: null,
        mentions: [],
      });
    const deleted = (postId: string) =>
      makeEvent("posts", { requestId: "test" }, "post.deleted", {
        postId,
        authorId: author.id,
        sharedPostId: null,
      });
    const [kept, gone] = ["01JD0000000000000000000001", "01JD0000000000000000000002"];
    // The deletion overtakes its creation; the kept post's creation comes twice.
    await deliver([deleted(gone), created(kept), created(gone), created(kept)]);
    expect((await getProfile(scopeOf(), author.handle)).postCount).toBe(1);
  });

  it("retries a malformed message instead of dropping it", async () => {
    const result = await deliver([{ type: "post.created", version: 99 }]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(result.explicitAcks).toEqual([]);
  });

  it("retries an event meant for another inbox", async () => {
    const author = await newUser("author");
    const event = makeEvent("users", { requestId: "test" }, "friend.requested", {
      friendRequestId: "01JD0000000000000000000001",
      fromId: author.id,
      toId: author.id,
    });
    const result = await deliver([event]);
    expect(result.retryMessages).toHaveLength(1);
  });
});

describe("dead letters", () => {
  it("keeps a message that exhausted its retries with its last error, and replays it when asked", async () => {
    const poison = { id: "poison-1", type: "post.created", version: 99 };
    await deliver([poison]);
    const dead = createMessageBatch("users-dlq", [
      { id: "d0", timestamp: new Date(), attempts: 1, body: poison },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(dead, env, ctx);
    const result = await getQueueResult(dead, ctx);
    expect(result.explicitAcks).toEqual(["d0"]);
    const stored = await env.DB.prepare("SELECT queue, error, body FROM dead_letters").first();
    expect(stored).toEqual({
      queue: "users-dlq",
      error: "malformed event",
      body: JSON.stringify(poison),
    });

    await env.DB.prepare("UPDATE dead_letters SET replay_requested = 1").run();
    await worker.scheduled(createScheduledController(), env);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM dead_letters").first("n")).toBe(0);
  });
});

describe("a deleted account", () => {
  it("refuses follows and friend requests racing the deletion, and keeps nothing of the account", async () => {
    const [leaving, staying] = [await newUser("kim"), await newUser("lou")];
    await sendFriendRequest(scopeOf(staying.id), leaving.handle);
    await deliver([postCreated(leaving.id, newId())]);
    await deleteMe(scopeOf(leaving.id), { password: PASSWORD });
    // Its token lives on for a while: each write it still makes names an account that is gone, so
    // the foreign keys refuse it, and the service answers as for anything that no longer exists.
    for (const write of [
      () => follow(scopeOf(leaving.id), staying.handle),
      () => sendFriendRequest(scopeOf(leaving.id), staying.handle),
      () => updateMe(scopeOf(leaving.id), { displayName: "ghost" }),
    ] as Array<() => Promise<unknown>>) {
      expect(await toResult("test", write)).toMatchObject({
        ok: false,
        error: { code: "not_found" },
      });
    }
    // A late event about one of its posts records nothing either.
    await deliver([postCreated(leaving.id, newId())]);
    for (const query of [
      "SELECT count(*) AS n FROM follows WHERE follower_id = ?1 OR followee_id = ?1",
      "SELECT count(*) AS n FROM friend_requests WHERE from_id = ?1 OR to_id = ?1",
      "SELECT count(*) AS n FROM friendships WHERE user_id = ?1 OR friend_id = ?1",
      "SELECT count(*) AS n FROM authored_posts WHERE author_id = ?1",
    ]) {
      expect(await env.DB.prepare(query).bind(leaving.id).first("n"), query).toBe(0);
    }
    const profile = await getProfile(scopeOf(), staying.handle);
    expect([profile.followerCount, profile.followingCount]).toEqual([0, 0]);
  });
});
