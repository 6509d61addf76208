import type { LikeState } from "@flock/contracts";
import { enqueueRevised, makeEvent, nowIso } from "@flock/kit";
import { and, eq } from "drizzle-orm";
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
    ...enqueueRevised(db, outbox, event, {
      table: likeRevisions,
      revision: likeRevisions.revision,
      key: [
        [likeRevisions.postId, postId],
        [likeRevisions.userId, userId],
      ],
    }),
    db.select({ likeCount: posts.likeCount }).from(posts).where(eq(posts.id, postId)),
  ]);
  return { liked, likeCount: counted[0]?.likeCount ?? post.likeCount };
}
