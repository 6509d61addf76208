import { type ReportInput, ReportInput as ReportInputSchema } from "@flock/contracts";
import { AppError, enqueueIfChanged, isDangling, makeEvent, nowIso, parseInput } from "@flock/kit";
import { and, eq, sql } from "drizzle-orm";
import { findComment } from "./comments";
import { comments, outbox, reports } from "./db/schema";
import { actor, type Scope } from "./scope";

/** How many distinct users must report a visible comment before it is hidden. */
export const REPORTS_TO_HIDE = 3;

/**
 * Records a report (202: the answer says nothing of the outcome). One report per user and comment
 * counts: a second changes nothing. The report that brings a visible comment to the threshold hides
 * it and emits comment.visibility_changed, once, however many reports race.
 */
export async function reportComment(
  scope: Scope,
  commentId: string,
  raw: ReportInput,
): Promise<null> {
  const me = actor(scope);
  const input = parseInput(ReportInputSchema, raw);
  const { db } = scope;
  const current = await findComment(scope, commentId);
  if (current.authorId === me) {
    throw new AppError("validation", "You cannot report your own comment.", [
      { path: "commentId", message: "is your own" },
    ]);
  }
  const event = makeEvent("comments", scope.ctx.requestId, "comment.visibility_changed", {
    commentId: current.id,
    postId: current.postId,
    visible: false,
  });
  // The count is taken inside the same transaction as the insert, so concurrent reports cannot both
  // see "two" and both miss, nor both hide; only the update that changed a row records the event.
  const openReports = sql`(SELECT count(*) FROM ${reports} WHERE ${reports.commentId} = ${current.id} AND ${reports.dismissed} = 0)`;
  try {
    await db.batch([
      db
        .insert(reports)
        .values({
          commentId: current.id,
          reporterId: me,
          reason: input.reason,
          createdAt: nowIso(),
        })
        .onConflictDoNothing(),
      db
        .update(comments)
        .set({ status: "hidden" })
        .where(
          and(
            eq(comments.id, current.id),
            eq(comments.status, "visible"),
            sql`${openReports} >= ${REPORTS_TO_HIDE}`,
          ),
        ),
      enqueueIfChanged(db, outbox, event),
    ]);
  } catch (error) {
    // The comment was deleted between the read and the write.
    if (isDangling(error)) throw new AppError("not_found", "That comment does not exist.");
    throw error;
  }
  return null;
}
