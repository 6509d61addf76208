import type { LikeState } from "@flock/contracts";
import { enqueueIfChanged, makeEvent, nowIso } from "@flock/kit";
import { and, eq } from "drizzle-orm";
import { likes, outbox, posts } from "./db/schema";
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
 * something, and answers with the count as the same batch left it.
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
  const [, , counted] = await db.batch([
    change,
    enqueueIfChanged(db, outbox, event),
    db.select({ likeCount: posts.likeCount }).from(posts).where(eq(posts.id, postId)),
  ]);
  return { liked, likeCount: counted[0]?.likeCount ?? post.likeCount };
}
