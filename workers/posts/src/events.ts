import type { Event } from "@flock/contracts";
import {
  buryUser,
  type Db,
  enqueue,
  enqueueAll,
  inList,
  isRelationEvent,
  makeEvent,
  type Origin,
  recordRelation,
  recordSuspension,
  type Statement,
} from "@flock/kit";
import { and, count, eq, sql } from "drizzle-orm";
import {
  authors,
  celebrities,
  countedComments,
  deletedUsers,
  followStates,
  idempotencyKeys,
  likeRevisions,
  likes,
  mergedPosts,
  outbox,
  posts,
  postTags,
  relations,
  reports,
  suspendedUsers,
  timelineEntries,
} from "./db/schema";
import { DEMOTION_SHARE, fanOutPage, isRecordedCelebrity, setCelebrity } from "./fanout";
import { dropReportsOnShown } from "./reports";
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
  // Blocks and mutes only filter reads (src/visibility.ts): the rows they hide stay, for an unblock.
  if (isRelationEvent(event)) return [recordRelation(db, relations, event)];
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
          origin: event,
        },
        deps.celebrityFollowers,
      );
    }
    case "post.deleted":
      return [
        db.delete(mergedPosts).where(eq(mergedPosts.postId, event.data.postId)),
        db.delete(timelineEntries).where(eq(timelineEntries.postId, event.data.postId)),
        db.delete(countedComments).where(eq(countedComments.postId, event.data.postId)),
        db.delete(reports).where(eq(reports.postId, event.data.postId)),
      ];
    case "user.suspended":
    case "user.unsuspended":
      return [recordSuspension(db, suspendedUsers, event)];
    case "user.followed": {
      const { followerId, followeeId } = event.data;
      return [
        followState(db, event, true),
        db
          .insert(timelineEntries)
          .select(
            // Only while this follow is the newest word: a follow delivered after a newer unfollow
            // (each request relays its own events, so they may cross) backfills nothing.
            sql`SELECT ${followerId}, id, author_id FROM posts WHERE author_id = ${followeeId} AND EXISTS (SELECT 1 FROM ${followStates} WHERE ${followStates.followerId} = ${followerId} AND ${followStates.followeeId} = ${followeeId} AND ${followStates.eventId} = ${event.id}) ORDER BY id DESC LIMIT ${BACKFILL_POSTS}`,
          )
          .onConflictDoNothing(),
      ];
    }
    case "user.unfollowed": {
      const { followerId, followeeId } = event.data;
      return [
        ...(await reconsiderCelebrity(db, followeeId, deps)),
        followState(db, event, false),
        db.delete(timelineEntries).where(
          and(
            eq(timelineEntries.userId, followerId),
            eq(timelineEntries.authorId, followeeId),
            // Only while this unfollow is the newest word: a newer follow's backfill stays.
            sql`EXISTS (SELECT 1 FROM ${followStates} WHERE ${followStates.followerId} = ${followerId} AND ${followStates.followeeId} = ${followeeId} AND ${followStates.eventId} = ${event.id})`,
          ),
        ),
      ];
    }
    case "user.registered":
    case "user.updated": {
      const { userId, handle, displayName, avatarUrl } = event.data;
      const revision = event.data.revision ?? 0;
      const row = { id: userId, handle, displayName, avatarUrl, updatedAt: event.occurredAt };
      return [
        db
          .insert(authors)
          .values({ ...row, revision })
          .onConflictDoUpdate({
            target: authors.id,
            set: { handle, displayName, avatarUrl, updatedAt: event.occurredAt, revision },
            // Events may arrive out of order, and may have been made in another order than their
            // writes committed: the users service's revision says which change is newer.
            setWhere: sql`(${authors.revision}, ${authors.updatedAt}) < (${revision}, ${event.occurredAt})`,
          }),
      ];
    }
    case "user.deleted": {
      // The tombstone comes first and the posts follow in their own event: each page is read once
      // the account can no longer post, so no post slips in between a page's read and its removal.
      const { userId } = event.data;
      return [
        buryUser(db, deletedUsers, event),
        db.delete(followStates).where(eq(followStates.followerId, userId)),
        db.delete(followStates).where(eq(followStates.followeeId, userId)),
        db.delete(relations).where(eq(relations.userId, userId)),
        db.delete(relations).where(eq(relations.otherId, userId)),
        db.delete(authors).where(eq(authors.id, userId)),
        db.delete(celebrities).where(eq(celebrities.authorId, userId)),
        db.delete(mergedPosts).where(eq(mergedPosts.authorId, userId)),
        db.delete(likes).where(eq(likes.userId, userId)),
        db.delete(likeRevisions).where(eq(likeRevisions.userId, userId)),
        db.delete(timelineEntries).where(eq(timelineEntries.userId, userId)),
        db.delete(idempotencyKeys).where(eq(idempotencyKeys.userId, userId)),
        dropReportsOnShown(db, userId),
        continuePostsRemoval(db, userId, event),
      ];
    }
    case "user.posts_removal_continued":
      return removePosts(db, event.data.userId, event);
    case "comment.created": {
      const { commentId, postId, status } = event.data;
      return [
        db
          .insert(countedComments)
          .values({
            commentId,
            postId,
            visible: status === "visible",
            deleted: false,
            eventId: event.id,
          })
          .onConflictDoNothing(),
        recountComments(db, postId),
      ];
    }
    case "comment.visibility_changed": {
      const { commentId, postId, visible } = event.data;
      return [
        db
          .insert(countedComments)
          .values({ commentId, postId, visible, deleted: false, eventId: event.id })
          .onConflictDoUpdate({
            target: countedComments.commentId,
            set: { visible, eventId: event.id },
            setWhere: sql`${countedComments.eventId} < ${event.id}`,
          }),
        recountComments(db, postId),
      ];
    }
    case "comment.deleted": {
      const { commentId, postId } = event.data;
      return [
        // A deletion is final: whatever arrives about the comment later changes nothing.
        db
          .insert(countedComments)
          .values({ commentId, postId, visible: false, deleted: true, eventId: event.id })
          .onConflictDoUpdate({ target: countedComments.commentId, set: { deleted: true } }),
        recountComments(db, postId),
      ];
    }
    default:
      return [];
  }
}

/**
 * Takes celebrity status away from an author whose followers fell below the demotion line, so that
 * their next posts are fanned out again. Asks the users service only about a current celebrity.
 */
async function reconsiderCelebrity(
  db: Db,
  authorId: string,
  deps: EventDeps,
): Promise<Statement[]> {
  if (!(await isRecordedCelebrity(db, authorId))) return [];
  const { total } = await deps.audience.followerIds(authorId, { limit: 1 });
  // A recorded celebrity stays one down to the demotion line: isCelebrity's rule, its row known.
  return [
    setCelebrity(db, authorId, total >= Math.floor(deps.celebrityFollowers * DEMOTION_SHARE)),
  ];
}

/**
 * Records a follow or unfollow unless a newer one of the same pair was applied first. Newer is by
 * the pair's revision, which the users service counts in each change's transaction: two requests
 * racing may make their events in one order and commit in the other, and then the event id would
 * keep the follow that users no longer has. Events from before revisions (0) are ordered by id.
 */
function followState(
  db: Db,
  event: Extract<Event, { type: "user.followed" | "user.unfollowed" }>,
  following: boolean,
): Statement {
  const { followerId, followeeId } = event.data;
  const revision = event.data.revision ?? 0;
  return db
    .insert(followStates)
    .values({ followerId, followeeId, following, eventId: event.id, revision })
    .onConflictDoUpdate({
      target: [followStates.followerId, followStates.followeeId],
      set: { following, eventId: event.id, revision },
      setWhere: sql`(${followStates.revision}, ${followStates.eventId}) < (${revision}, ${event.id})`,
    });
}

/** Sets a post's comment count to the visible comments this service knows of (one index range). */
function recountComments(db: Db, postId: string): Statement {
  const visible = db
    .select({ n: count() })
    .from(countedComments)
    .where(
      and(
        eq(countedComments.postId, postId),
        eq(countedComments.visible, true),
        eq(countedComments.deleted, false),
      ),
    );
  return db
    .update(posts)
    .set({ commentCount: sql`(${visible})` })
    .where(eq(posts.id, postId));
}

/**
 * Removes a page of a deleted account's posts with their likes, tags and timeline entries, and
 * announces each post's deletion so the other services remove its comments and notifications. When
 * more posts remain, a user.posts_removal_continued event carries on with the next page.
 */
async function removePosts(db: Db, userId: string, origin: Origin): Promise<Statement[]> {
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
    makeEvent("posts", origin, "post.deleted", {
      postId: post.id,
      authorId: userId,
      sharedPostId: post.sharedPostId,
    }),
  );
  return [
    db.delete(likes).where(inList(likes.postId, ids)),
    db.delete(likeRevisions).where(inList(likeRevisions.postId, ids)),
    db.delete(postTags).where(inList(postTags.postId, ids)),
    db.delete(timelineEntries).where(inList(timelineEntries.postId, ids)),
    db.delete(mergedPosts).where(inList(mergedPosts.postId, ids)),
    db.delete(posts).where(inList(posts.id, ids)),
    ...enqueueAll(db, outbox, announcements),
    ...(more ? [continuePostsRemoval(db, userId, origin)] : []),
  ];
}

function continuePostsRemoval(db: Db, userId: string, origin: Origin): Statement {
  return enqueue(
    db,
    outbox,
    makeEvent("posts", origin, "user.posts_removal_continued", { userId }),
  );
}
