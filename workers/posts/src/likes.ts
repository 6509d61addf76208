import type { LikeState } from "@flock/contracts";
import { enqueueIfChanged, makeEvent, nowIso } from "@flock/kit";
import { and, eq } from "drizzle-orm";
import { likes, outbox, posts } from "./db/schema";
import { findPost } from "./posts";
import { actor, type Scope } from "./scope";

/** Likes a post; liking twice changes nothing and notifies nobody twice. */
export async function like(scope: Scope, postId: string): Promise<LikeState> {
  const { db } = scope;
  const userId = actor(scope);
  const post = await findPost(scope, postId);
  const event = makeEvent("posts", scope.ctx.requestId, "post.liked", {
    postId,
    postAuthorId: post.authorId,
    userId,
  });
  const [, , counted] = await db.batch([
    db.insert(likes).values({ postId, userId, createdAt: nowIso() }).onConflictDoNothing(),
    enqueueIfChanged(db, outbox, event),
    db.select({ likeCount: posts.likeCount }).from(posts).where(eq(posts.id, postId)),
  ]);
  return { liked: true, likeCount: counted[0]?.likeCount ?? post.likeCount };
}

/** Takes a like back; unliking a post you do not like changes nothing. */
export async function unlike(scope: Scope, postId: string): Promise<LikeState> {
  const { db } = scope;
  const userId = actor(scope);
  const post = await findPost(scope, postId);
  const event = makeEvent("posts", scope.ctx.requestId, "post.unliked", {
    postId,
    postAuthorId: post.authorId,
    userId,
  });
  const [, , counted] = await db.batch([
    db.delete(likes).where(and(eq(likes.postId, postId), eq(likes.userId, userId))),
    enqueueIfChanged(db, outbox, event),
    db.select({ likeCount: posts.likeCount }).from(posts).where(eq(posts.id, postId)),
  ]);
  return { liked: false, likeCount: counted[0]?.likeCount ?? post.likeCount };
}
