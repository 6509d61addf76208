import type { Event, EventData } from "@flock/contracts";
import { type Db, makeEvent, type Statement } from "@flock/kit";
import { eq } from "drizzle-orm";
import { comments, outbox, reports } from "./db/schema";

/** What the comments service does with the events it subscribes to: forget deleted posts and users. */
export async function applyEvent(db: Db, event: Event): Promise<Statement[]> {
  switch (event.type) {
    case "post.deleted":
      // Reports go with their comments (foreign key); no events: the post and its count are gone.
      return [db.delete(comments).where(eq(comments.postId, event.data.postId))];
    case "user.deleted":
      return forgetUser(db, event.requestId, event.data);
    default:
      return [];
  }
}

// D1 binds at most 100 parameters per statement; an outbox row takes five.
const OUTBOX_ROWS_PER_INSERT = 16;

/**
 * Deletes a user's comments, telling the posts service of each so it can correct comment counts,
 * and the user's reports. Comments hidden by reports stay hidden when a reporter leaves.
 */
async function forgetUser(
  db: Db,
  requestId: string,
  data: EventData<"user.deleted">,
): Promise<Statement[]> {
  const theirs = await db
    .select({ id: comments.id, postId: comments.postId, status: comments.status })
    .from(comments)
    .where(eq(comments.authorId, data.userId));
  const rows = theirs.map((comment) => {
    const event = makeEvent("comments", requestId, "comment.deleted", {
      commentId: comment.id,
      postId: comment.postId,
      authorId: data.userId,
      wasVisible: comment.status === "visible",
    });
    return {
      id: event.id,
      type: event.type,
      payload: JSON.stringify(event),
      createdAt: Date.now(),
    };
  });
  const statements: Statement[] = [];
  for (let start = 0; start < rows.length; start += OUTBOX_ROWS_PER_INSERT) {
    statements.push(db.insert(outbox).values(rows.slice(start, start + OUTBOX_ROWS_PER_INSERT)));
  }
  return [
    ...statements,
    // By author, not by the ids read above: a comment that slipped in between is removed too, since
    // a deleted account's words must go; at worst a post's count is then one too high.
    db.delete(comments).where(eq(comments.authorId, data.userId)),
    db.delete(reports).where(eq(reports.reporterId, data.userId)),
  ];
}
