import { env } from "cloudflare:workers";
import { applyOnce, createDb, encodeCursor } from "@flock/kit";
import { expect, it } from "vitest";
import { directory, eventOf, newUserId } from "../../test/helpers";
import { applyEvent } from "../events";
import { listNotifications, markRead } from "../notifications";
import { processedEvents } from "./schema";

/** The real database, noting the SQL of every statement prepared on it. */
function recording(d1: D1Database, seen: string[]): D1Database {
  return new Proxy(d1, {
    get(target, key) {
      if (key === "prepare") {
        return (query: string) => {
          seen.push(query);
          return target.prepare(query);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function planOf(query: string): Promise<string[]> {
  const params = query.match(/\?/g)?.length ?? 0;
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query}`)
    .bind(...Array.from({ length: params }, () => null))
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}

// D1 runs one query at a time per database: a statement that scans the table stalls everyone.
it("runs every query through an index, never a scan of the notifications table", async () => {
  const seen: string[] = [];
  const db = createDb(recording(env.DB, seen));
  const [me, you, postId, commentId] = [newUserId(), newUserId(), newUserId(), newUserId()];
  const events = [
    eventOf("user.followed", { followerId: you, followeeId: me }),
    eventOf("post.liked", { postId, postAuthorId: me, userId: you }),
    eventOf("post.unliked", { postId, postAuthorId: me, userId: you }),
    eventOf("post.created", {
      postId,
      authorId: you,
      sharedPostId: null,
      sharedPostAuthorId: null,
      mentions: ["me_1"],
    }),
    eventOf("comment.created", {
      commentId,
      postId,
      postAuthorId: me,
      authorId: you,
      parentId: null,
      parentAuthorId: null,
      status: "visible",
      mentions: [],
    }),
    eventOf("comment.deleted", { commentId, postId, authorId: you, wasVisible: true }),
    eventOf("post.deleted", { postId, authorId: me, sharedPostId: null }),
    eventOf("user.deleted", { userId: you }),
  ];
  const resolve = directory({ me_1: me });
  for (const event of events) {
    await applyOnce(
      { db, processed: processedEvents, handle: (e) => applyEvent(db, e, resolve) },
      event,
    );
  }
  const scope = { db, ctx: { requestId: "test", actorId: me } };
  const someId = newUserId();
  await listNotifications(scope, { limit: 2 });
  await listNotifications(scope, { limit: 2, cursor: encodeCursor(someId) });
  await markRead(scope, { upTo: someId });
  await markRead(scope, {});

  const reads = seen.filter((query) => !/^insert/i.test(query));
  expect(reads.length).toBeGreaterThan(10);
  for (const query of reads) {
    const plan = await planOf(query);
    expect(
      plan.some((step) => /^SCAN notifications\b/.test(step)),
      `${query}\n${plan}`,
    ).toBe(false);
  }
});
