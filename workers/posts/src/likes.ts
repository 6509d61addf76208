import type { LikeState } from "@flock/contracts";
import { enqueueIfChanged, makeEvent, nowIso } from "@flock/kit";
import { and, eq, sql } from "drizzle-orm";
import { likeRevisions, likes, outbox, posts } from "./db/schema";
import { findPost } from "./posts";
import { actor, type Scope } from "./scope";

/** Likes a post; liking twice changes nothing and notifies nobody twice. */
export function like(scope: Scope, postId: string): Promise<LikeState> {
  return setLike(scope, postId, true);
}

/** Takes a like back; unliking a post you do not like changes nothing. */
export function unlike(scope: Scope, postId: string): Promise<LikeState> {
  return setLike(scope, postId, false);
}

/**
 * Makes the caller's like of a post what `liked` says, with its event only when that changed
 * something, and answers with the count as the same batch left it. When the write changed a row,
 * the pair's revision steps and is written into the queued event in the same transaction: a like and
 * an unlike racing can commit in the other order than their event ids sort, and notifications trusts
 * the revision over the id (decision 0019).
 */
async function setLike(scope: Scope, postId: string, liked: boolean): Promise<LikeState> {
  const { db } = scope;
  const userId = actor(scope);
  const post = await findPost(scope, postId);
  const event = makeEvent("posts", scope.ctx, liked ? "post.liked" : "post.unliked", {
    postId,
    postAuthorId: post.authorId,
    userId,
  });
  const change = liked
    ? db.insert(likes).values({ postId, userId, createdAt: nowIso() }).onConflictDoNothing()
    : db.delete(likes).where(and(eq(likes.postId, postId), eq(likes.userId, userId)));
  const [, , , , counted] = await db.batch([
    change,
    db
      .insert(likeRevisions)
      // The WHERE reads the change count of the like's write just before (triggers' changes are not
      // counted); it also keeps SQLite from reading the ON CONFLICT as a join constraint.
      .select(sql`SELECT ${postId}, ${userId}, 1 WHERE changes() > 0`)
      .onConflictDoUpdate({
        target: [likeRevisions.postId, likeRevisions.userId],
        set: { revision: sql`${likeRevisions.revision} + 1` },
      }),
    // changes() now counts the revision's step, which happened exactly when the like changed.
    enqueueIfChanged(db, outbox, event),
    db
      .update(outbox)
      .set({
        payload: sql`json_set(${outbox.payload}, '$.data.revision', (SELECT ${likeRevisions.revision} FROM ${likeRevisions} WHERE ${likeRevisions.postId} = ${postId} AND ${likeRevisions.userId} = ${userId}))`,
      })
      .where(eq(outbox.id, event.id)),
    db.select({ likeCount: posts.likeCount }).from(posts).where(eq(posts.id, postId)),
  ]);
  return { liked, likeCount: counted[0]?.likeCount ?? post.likeCount };
}
