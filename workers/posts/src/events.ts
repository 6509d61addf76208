import type { Event } from "@flock/contracts";
import { type Db, enqueue, enqueueAll, inList, makeEvent, type Statement } from "@flock/kit";
import { and, eq, sql } from "drizzle-orm";
import { authors, celebrities, likes, outbox, posts, postTags, timelineEntries } from "./db/schema";
import { fanOutPage } from "./fanout";
import type { Audience } from "./scope";

/** Posts of a newly followed account that are copied into the follower's timeline. */
export const BACKFILL_POSTS = 20;
/**
 * Posts of a deleted account removed per event, each announced by a post.deleted event: about 20
 * statements, well within an event's share of D1's queries. More continue in a follow-up event.
 */
export const REMOVAL_PAGE = 200;

export type EventDeps = { audience: Audience; celebrityFollowers: number };

/** What the posts service does with the events it subscribes to. */
export async function applyEvent(db: Db, event: Event, deps: EventDeps): Promise<Statement[]> {
  switch (event.type) {
    case "post.created":
    case "post.fanout_continued": {
      const { postId, authorId } = event.data;
      const [post] = await db.select({ id: posts.id }).from(posts).where(eq(posts.id, postId));
      if (!post) return [];
      return fanOutPage(
        db,
        deps.audience,
        {
          post: { id: postId, authorId },
          cursor: event.type === "post.fanout_continued" ? event.data.cursor : undefined,
          requestId: event.requestId,
        },
        deps.celebrityFollowers,
      );
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
    case "user.deleted": {
      const { userId } = event.data;
      return [
        db.delete(authors).where(eq(authors.id, userId)),
        db.delete(celebrities).where(eq(celebrities.authorId, userId)),
        db.delete(likes).where(eq(likes.userId, userId)),
        db.delete(timelineEntries).where(eq(timelineEntries.userId, userId)),
        ...(await removePosts(db, userId, event.requestId)),
      ];
    }
    case "user.posts_removal_continued":
      return removePosts(db, event.data.userId, event.requestId);
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
 * Removes a page of a deleted account's posts with their likes, tags and timeline entries, and
 * announces each post's deletion so the other services remove its comments and notifications. When
 * more posts remain, a user.posts_removal_continued event carries on with the next page.
 */
async function removePosts(db: Db, userId: string, requestId: string): Promise<Statement[]> {
  const owned = await db
    .select({ id: posts.id, sharedPostId: posts.sharedPostId })
    .from(posts)
    .where(eq(posts.authorId, userId))
    .orderBy(posts.id)
    .limit(REMOVAL_PAGE + 1);
  const page = owned.slice(0, REMOVAL_PAGE);
  if (page.length === 0) return [];
  const ids = page.map((post) => post.id);
  const more = owned.length > REMOVAL_PAGE;
  const announcements = page.map((post) =>
    makeEvent("posts", requestId, "post.deleted", {
      postId: post.id,
      authorId: userId,
      sharedPostId: post.sharedPostId,
    }),
  );
  return [
    db.delete(likes).where(inList(likes.postId, ids)),
    db.delete(postTags).where(inList(postTags.postId, ids)),
    db.delete(timelineEntries).where(inList(timelineEntries.postId, ids)),
    db.delete(posts).where(inList(posts.id, ids)),
    ...enqueueAll(db, outbox, announcements),
    more
      ? enqueue(
          db,
          outbox,
          makeEvent("posts", requestId, "user.posts_removal_continued", { userId }),
        )
      : // The last page: a post written after the first page was read (a token outlives its
        // account for a while) goes too, since a deleted account's words must go.
        db.delete(posts).where(eq(posts.authorId, userId)),
  ];
}
