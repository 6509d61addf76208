import { type ReportInput, ReportInput as ReportInputSchema } from "@flock/contracts";
import {
  AppError,
  type Db,
  enqueueIfChanged,
  inList,
  isDangling,
  makeEvent,
  moderate,
  nowIso,
  type Origin,
  parseInput,
  REPORTS_TO_HIDE,
  reportCounts,
  type Statement,
} from "@flock/kit";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { findComment } from "./comments";
import { comments, outbox, reports } from "./db/schema";
import { actor, type Scope } from "./scope";

/**
 * Records a report (202: the answer says nothing of the outcome). One report per user and comment:
 * a second changes nothing. It counts toward hiding only when the reporter's account is at least a
 * day old (reportCounts). The report that brings a visible comment to the threshold hides it and
 * emits comment.visibility_changed, once, however many reports race.
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
  const event = makeEvent("comments", scope.ctx, "comment.visibility_changed", {
    commentId: current.id,
    postId: current.postId,
    visible: false,
  });
  // The count is taken inside the same transaction as the insert, so concurrent reports cannot both
  // see "two" and both miss, nor both hide; only the update that changed a row records the event.
  try {
    await db.batch([
      db
        .insert(reports)
        .values({
          commentId: current.id,
          reporterId: me,
          reason: input.reason,
          counts: reportCounts(scope.ctx),
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
            sql`${openReports(current.id)} >= ${REPORTS_TO_HIDE}`,
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

/**
 * The reports of a comment that count towards hiding it (neither dismissed nor resolved, by accounts
 * old enough), counted in the statement that uses them.
 */
function openReports(commentId: string) {
  return sql`(SELECT count(*) FROM ${reports} WHERE ${reports.commentId} = ${commentId} AND ${reports.dismissed} = 0 AND ${reports.counts} = 1 AND ${reports.resolvedAt} IS NULL)`;
}

/**
 * Removes a deleted account's reports on comments it has not helped hide, in the batch that records
 * the deletion: from then on no report counts one of theirs. Reports on hidden comments stay until
 * `releaseHidden` re-counts each of those comments.
 */
export function dropReportsOnShown(db: Db, reporterId: string): Statement {
  const shown = db.select({ id: comments.id }).from(comments).where(ne(comments.status, "hidden"));
  return db
    .delete(reports)
    .where(and(eq(reports.reporterId, reporterId), inArray(reports.commentId, shown)));
}

/**
 * Hidden comments released per event after a reporter's account is deleted: two statements each,
 * well within an event's share of D1's queries.
 */
export const RELEASE_PAGE = 20;

/**
 * Takes back a page of a deleted account's reports on hidden comments. Each comment left with fewer
 * than three reports is shown again (or held, should its body break a rule since an edit) and
 * announced by comment.visibility_changed. No statements: none of those reports is left.
 */
export async function releaseHidden(
  db: Db,
  origin: Origin,
  reporterId: string,
): Promise<Statement[]> {
  const page = await db
    .select({ id: comments.id, postId: comments.postId, body: comments.body })
    .from(reports)
    .innerJoin(comments, eq(comments.id, reports.commentId))
    .where(and(eq(reports.reporterId, reporterId), eq(comments.status, "hidden")))
    .orderBy(comments.id)
    .limit(RELEASE_PAGE);
  if (page.length === 0) return [];
  const releases = page.flatMap((comment) => {
    const status = moderate(comment.body).status;
    const release = db
      .update(comments)
      .set({ status })
      .where(
        and(
          eq(comments.id, comment.id),
          eq(comments.status, "hidden"),
          sql`${openReports(comment.id)} < ${REPORTS_TO_HIDE}`,
        ),
      );
    if (status !== "visible") return [release];
    const event = makeEvent("comments", origin, "comment.visibility_changed", {
      commentId: comment.id,
      postId: comment.postId,
      visible: true,
    });
    return [release, enqueueIfChanged(db, outbox, event)];
  });
  return [
    // The reports go first, so each release counts the reports left without theirs.
    db.delete(reports).where(
      and(
        eq(reports.reporterId, reporterId),
        inList(
          reports.commentId,
          page.map((comment) => comment.id),
        ),
      ),
    ),
    ...releases,
  ];
}
