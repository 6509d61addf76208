import type { Event } from "@flock/contracts";
import { type Db, enqueue, inList, makeEvent, type Statement } from "@flock/kit";
import { and, eq, sql } from "drizzle-orm";
import { authors, celebrities, likes, outbox, posts, postTags, timelineEntries } from "./db/schema";
import { fanOut } from "./fanout";
import type { Audience } from "./scope";

/** Posts of a newly followed account that are copied into the follower's timeline. */
export const BACKFILL_POSTS = 20;

export type EventDeps = { audience: Audience; celebrityFollowers: number };

/** What the posts service does with the events it subscribes to. */
export async function applyEvent(db: Db, event: Event, deps: EventDeps): Promise<Statement[]> {
  switch (event.type) {
    case "post.created": {
      const [post] = await db
        .select({ id: posts.id })
        .from(posts)
        .where(eq(posts.id, event.data.postId));
      if (post)
        await fanOut(
          db,
          deps.audience,
          { id: post.id, authorId: event.data.authorId },
          deps.celebrityFollowers,
        );
      return [];
    }
    case "post.deleted":
      return [db.delete(timelineEntries).where(eq(timelineEntries.postId, event.data.postId))];
    case "user.followed": {
      const { followerId, followeeId } = event.data;
      return [
        db
          .insert(timelineEntries)
          .select(
            sql`SELECT ${followerId}, id, author_id FROM posts WHERE author_id = ${followeeId} ORDER BY id DESC LIMIT ${BACKFILL_POSTS}`,
          )
          .onConflictDoNothing(),
      ];
    }
    case "user.unfollowed":
      return [
        db
          .delete(timelineEntries)
          .where(
            and(
              eq(timelineEntries.userId, event.data.followerId),
              eq(timelineEntries.authorId, event.data.followeeId),
            ),
          ),
      ];
    case "user.registered":
    case "user.updated": {
      const { userId, handle, displayName, avatarUrl } = event.data;
      const row = { id: userId, handle, displayName, avatarUrl, updatedAt: event.occurredAt };
      return [
        db
          .insert(authors)
          .values(row)
          .onConflictDoUpdate({
            target: authors.id,
            set: { handle, displayName, avatarUrl, updatedAt: event.occurredAt },
            // Events may arrive out of order: an older change never overwrites a newer one.
            setWhere: sql`${authors.updatedAt} < ${event.occurredAt}`,
          }),
      ];
    }
    case "user.deleted":
      return [
        db.delete(authors).where(eq(authors.id, event.data.userId)),
        db.delete(celebrities).where(eq(celebrities.authorId, event.data.userId)),
        ...(await deleteAccount(db, event.data.userId, event.requestId)),
      ];
    case "comment.created":
      return event.data.status === "visible" ? [commentCount(db, event.data.postId, 1)] : [];
    case "comment.deleted":
      return event.data.wasVisible ? [commentCount(db, event.data.postId, -1)] : [];
    case "comment.visibility_changed":
      return [commentCount(db, event.data.postId, event.data.visible ? 1 : -1)];
    default:
      return [];
  }
}

function commentCount(db: Db, postId: string, delta: 1 | -1): Statement {
  return db
    .update(posts)
    .set({ commentCount: sql`max(${posts.commentCount} + ${delta}, 0)` })
    .where(eq(posts.id, postId));
}

/**
 * Removes a deleted account's posts, likes and timeline, and announces each post's deletion so the
 * other services remove its comments and notifications.
 */
async function deleteAccount(db: Db, userId: string, requestId: string): Promise<Statement[]> {
  const owned = await db
    .select({ id: posts.id, sharedPostId: posts.sharedPostId })
    .from(posts)
    .where(eq(posts.authorId, userId));
  const ids = owned.map((post) => post.id);
  const statements: Statement[] = [
    db.delete(likes).where(eq(likes.userId, userId)),
    db.delete(timelineEntries).where(eq(timelineEntries.userId, userId)),
  ];
  if (ids.length > 0) {
    statements.push(
      db.delete(likes).where(inList(likes.postId, ids)),
      db.delete(postTags).where(inList(postTags.postId, ids)),
      db.delete(timelineEntries).where(inList(timelineEntries.postId, ids)),
      db.delete(posts).where(eq(posts.authorId, userId)),
      ...owned.map((post) =>
        enqueue(
          db,
          outbox,
          makeEvent("posts", requestId, "post.deleted", {
            postId: post.id,
            authorId: userId,
            sharedPostId: post.sharedPostId,
          }),
        ),
      ),
    );
  }
  return statements;
}
