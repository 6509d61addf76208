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
import { eq } from "drizzle-orm";
import { comments, deletedUsers, outbox, relations, reports, suspendedUsers } from "./db/schema";
import { dropReportsOnShown, releaseHidden } from "./reports";

/** What the comments service does with the events it subscribes to: forget deleted posts and users. */
export async function applyEvent(db: Db, event: Event): Promise<Statement[]> {
  if (isRelationEvent(event)) return [recordRelation(db, relations, event)];
  switch (event.type) {
    case "post.deleted":
      // Reports go with their comments (foreign key); no events: the post and its count are gone.
      return [db.delete(comments).where(eq(comments.postId, event.data.postId))];
    case "user.deleted": {
      // The tombstone comes first and the removal follows in its own event: each page is read once
      // no comment or report of the account can be written any more, so none slips in unannounced.
      const { userId } = event.data;
      return [
        buryUser(db, deletedUsers, event),
        db.delete(relations).where(eq(relations.userId, userId)),
        db.delete(relations).where(eq(relations.otherId, userId)),
        dropReportsOnShown(db, userId),
        continueRemoval(db, event, userId),
      ];
    }
    case "user.suspended":
    case "user.unsuspended":
      return [recordSuspension(db, suspendedUsers, event)];
    case "user.comments_removal_continued":
      return removeAccount(db, event, event.data.userId);
    default:
      return [];
  }
}

/**
 * Comments of a deleted account removed per event, each announced by a comment.deleted event: about
 * 20 statements, well within an event's share of D1's queries. More continue in a follow-up event.
 */
export const REMOVAL_PAGE = 200;

function continueRemoval(db: Db, origin: Origin, userId: string): Statement {
  return enqueue(
    db,
    outbox,
    makeEvent("comments", origin, "user.comments_removal_continued", { userId }),
  );
}

/**
 * One page of what a deleted account leaves: first the comments its reports helped hide, re-counted
 * without them, then its own comments; when more remain, a user.comments_removal_continued event
 * carries on.
 */
async function removeAccount(db: Db, origin: Origin, userId: string): Promise<Statement[]> {
  const released = await releaseHidden(db, origin, userId);
  // A page of releases is an event's worth of statements: the comments wait for the next one.
  if (released.length > 0) return [...released, continueRemoval(db, origin, userId)];
  return removeComments(db, origin, userId);
}

/**
 * Deletes a page of a deleted account's comments, telling the posts service of each so it can correct
 * comment counts. The last page also takes the account's remaining reports (dismissed ones on
 * comments approved since).
 */
async function removeComments(db: Db, origin: Origin, userId: string): Promise<Statement[]> {
  const theirs = await db
    .select({ id: comments.id, postId: comments.postId, status: comments.status })
    .from(comments)
    .where(eq(comments.authorId, userId))
    .orderBy(comments.id)
    .limit(REMOVAL_PAGE + 1);
  const page = theirs.slice(0, REMOVAL_PAGE);
  if (page.length === 0) return [db.delete(reports).where(eq(reports.reporterId, userId))];
  const more = theirs.length > REMOVAL_PAGE;
  const announcements = page.map((comment) =>
    makeEvent("comments", origin, "comment.deleted", {
      commentId: comment.id,
      postId: comment.postId,
      authorId: userId,
      wasVisible: comment.status === "visible",
    }),
  );
  return [
    ...enqueueAll(db, outbox, announcements),
    db.delete(comments).where(
      inList(
        comments.id,
        page.map((comment) => comment.id),
      ),
    ),
    more
      ? continueRemoval(db, origin, userId)
      : db.delete(reports).where(eq(reports.reporterId, userId)),
  ];
}
