import type { Event } from "@flock/contracts";
import { type Db, enqueue, enqueueAll, inList, makeEvent, type Statement } from "@flock/kit";
import { eq } from "drizzle-orm";
import { comments, outbox, reports } from "./db/schema";

/** What the comments service does with the events it subscribes to: forget deleted posts and users. */
export async function applyEvent(db: Db, event: Event): Promise<Statement[]> {
  switch (event.type) {
    case "post.deleted":
      // Reports go with their comments (foreign key); no events: the post and its count are gone.
      return [db.delete(comments).where(eq(comments.postId, event.data.postId))];
    case "user.deleted":
      return [
        db.delete(reports).where(eq(reports.reporterId, event.data.userId)),
        ...(await removeComments(db, event.requestId, event.data.userId)),
      ];
    case "user.comments_removal_continued":
      return removeComments(db, event.requestId, event.data.userId);
    default:
      return [];
  }
}

/**
 * Comments of a deleted account removed per event, each announced by a comment.deleted event: about
 * 20 statements, well within an event's share of D1's queries. More continue in a follow-up event.
 */
export const REMOVAL_PAGE = 200;

/**
 * Deletes a page of a deleted user's comments, telling the posts service of each so it can correct
 * comment counts; when more remain, a user.comments_removal_continued event carries on. Comments
 * hidden by reports stay hidden when a reporter leaves.
 */
async function removeComments(db: Db, requestId: string, userId: string): Promise<Statement[]> {
  const theirs = await db
    .select({ id: comments.id, postId: comments.postId, status: comments.status })
    .from(comments)
    .where(eq(comments.authorId, userId))
    .orderBy(comments.id)
    .limit(REMOVAL_PAGE + 1);
  const page = theirs.slice(0, REMOVAL_PAGE);
  if (page.length === 0) return [];
  const more = theirs.length > REMOVAL_PAGE;
  const announcements = page.map((comment) =>
    makeEvent("comments", requestId, "comment.deleted", {
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
      ? enqueue(
          db,
          outbox,
          makeEvent("comments", requestId, "user.comments_removal_continued", { userId }),
        )
      : // The last page also removes by author: a comment that slipped in after the page was read
        // goes too, since a deleted account's words must go; at worst a post's count is then one
        // too high.
        db.delete(comments).where(eq(comments.authorId, userId)),
  ];
}
