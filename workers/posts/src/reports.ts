import {
  type AuditEntry,
  type ListQuery,
  ListQuery as ListQuerySchema,
  type Page,
  REPORT_ID_PREFIX,
  type ReportCase,
  type ReportInput,
  ReportInput as ReportInputSchema,
  type ResolveInput,
  ResolveInput as ResolveInputSchema,
} from "@flock/contracts";
import {
  AppError,
  actor,
  audit,
  type Db,
  decodeCursor,
  enqueueIfChanged,
  listAudit,
  type ModerationReason,
  moderator,
  nowIso,
  parseInput,
  REPORTS_TO_HIDE,
  type ReportCaseRow,
  reportCasePage,
  reportCounts,
  runBatch,
  type Statement,
} from "@flock/kit";
import { and, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import { moderationAudit, outbox, posts, reports } from "./db/schema";
import { findPost, removal, updated } from "./posts";
import type { Scope } from "./scope";

/** The reporter of a post the moderation rules held: it waits in the queue like a reported one. */
export const MODERATION_RULES = "moderation_rules";

/**
 * The statement that puts a held post in the moderation queue with the rules it broke; a post held
 * again after an edit reopens its case.
 */
export function holdForReview(db: Db, postId: string, reasons: ModerationReason[]): Statement {
  const row = {
    postId,
    reporterId: MODERATION_RULES,
    reason: `held: ${reasons.join(", ")}`,
    counts: false,
    createdAt: nowIso(),
    resolvedAt: null,
  };
  return db
    .insert(reports)
    .values(row)
    .onConflictDoUpdate({
      target: [reports.postId, reports.reporterId],
      set: { reason: row.reason, createdAt: row.createdAt, resolvedAt: null },
    });
}

/** The open reports of a post that count toward hiding it, counted in the statement that uses them. */
function countingReports(postId: string) {
  return sql`(SELECT count(*) FROM ${reports} WHERE ${reports.postId} = ${postId} AND ${reports.counts} = 1 AND ${reports.resolvedAt} IS NULL)`;
}

/**
 * Records a report (202: the answer says nothing of the outcome), one per account and post. It
 * counts toward hiding only when the reporter's account is at least a day old (reportCounts); the
 * report that brings a visible post to REPORTS_TO_HIDE counting reports hides it, in the same
 * transaction, so racing reports hide it once. Your own post cannot be reported (422).
 */
export async function reportPost(scope: Scope, postId: string, raw: ReportInput): Promise<null> {
  const me = actor(scope);
  const input = parseInput(ReportInputSchema, raw);
  const { db } = scope;
  const post = await findPost(scope, postId);
  if (post.authorId === me) {
    throw new AppError("validation", "You cannot report your own post.", [
      { path: "postId", message: "is your own" },
    ]);
  }
  const counts = reportCounts(scope.ctx) ? 1 : 0;
  await db.batch([
    // Only while the post exists: a report racing its deletion leaves nothing behind.
    db
      .insert(reports)
      .select(
        sql`SELECT ${post.id}, ${me}, ${input.reason}, ${counts}, ${nowIso()}, NULL WHERE EXISTS (SELECT 1 FROM ${posts} WHERE ${posts.id} = ${post.id})`,
      )
      .onConflictDoNothing(),
    db
      .update(posts)
      .set({ status: "hidden" })
      .where(
        and(
          eq(posts.id, post.id),
          eq(posts.status, "visible"),
          sql`${countingReports(post.id)} >= ${REPORTS_TO_HIDE}`,
        ),
      ),
    // Only the report that hid it says so.
    enqueueIfChanged(db, outbox, updated(scope, post)),
  ]);
  return null;
}

/**
 * Posts with open reports (a held post has one, by MODERATION_RULES), the oldest first report first,
 * after a cursor that caseKey made here or in another service's queue.
 */
export async function listReportCases(scope: Scope, raw: ListQuery): Promise<Page<ReportCase>> {
  moderator(scope);
  const query = parseInput(ListQuerySchema, raw);
  const after = decodeCursor(query.cursor) ?? "";
  // Grouped over the open reports only (a partial index); the queue is short-lived work, not history.
  const rows = await scope.db.all<ReportCaseRow>(sql`
    SELECT r.post_id AS targetId, min(r.created_at) AS firstReportedAt, count(*) AS reportCount,
      json_group_array(DISTINCT r.reason) AS reasons, p.status AS status,
      CASE WHEN p.title IS NULL THEN p.body ELSE p.title || ': ' || p.body END AS text
    FROM ${reports} r INDEXED BY reports_open JOIN ${posts} p ON p.id = r.post_id
    WHERE r.resolved_at IS NULL
    GROUP BY r.post_id
    HAVING (min(r.created_at) || '|' || ${REPORT_ID_PREFIX.post} || r.post_id) > ${after}
    ORDER BY min(r.created_at), r.post_id
    LIMIT ${query.limit + 1}`);
  return reportCasePage("post", rows, query.limit);
}

/**
 * A moderator's decision on a post, in one transaction with its audit entry: `dismiss` closes its
 * open reports and shows it again (released from a hold or a hide), `hide` closes them and hides
 * it, `remove` deletes it as its author's delete would.
 */
export async function resolveReportCase(
  scope: Scope,
  postId: string,
  raw: ResolveInput,
): Promise<null> {
  const me = moderator(scope);
  const input = parseInput(ResolveInputSchema, raw);
  const { db } = scope;
  const [post] = await db.select().from(posts).where(eq(posts.id, postId)).limit(1);
  if (!post) throw new AppError("not_found", "No such post.");
  const entry = audit(db, moderationAudit, {
    moderatorId: me,
    action: input.action,
    targetKind: "post",
    targetId: post.id,
    reason: input.reason ?? null,
  });
  if (input.action === "remove") {
    await runBatch(db, [...removal(scope, post), entry]);
    return null;
  }
  await db.batch([
    db
      .update(reports)
      .set({ resolvedAt: nowIso() })
      .where(and(eq(reports.postId, post.id), isNull(reports.resolvedAt))),
    entry,
    db
      .update(posts)
      .set({ status: input.action === "dismiss" ? "visible" : "hidden" })
      .where(
        and(
          eq(posts.id, post.id),
          ne(posts.status, input.action === "dismiss" ? "visible" : "hidden"),
        ),
      ),
    enqueueIfChanged(db, outbox, updated(scope, post)),
  ]);
  return null;
}

/** This service's audit log (resolutions of reports on posts), newest first. */
export async function listPostsAudit(scope: Scope, query: ListQuery): Promise<Page<AuditEntry>> {
  moderator(scope);
  return listAudit(scope.db, moderationAudit, query);
}

/**
 * Removes a deleted account's reports on posts it has not helped hide, in the batch that records
 * the deletion. Those on hidden posts stay, so each hidden post keeps its case in the queue until a
 * moderator resolves it.
 */
export function dropReportsOnShown(db: Db, reporterId: string): Statement {
  const shown = db.select({ id: posts.id }).from(posts).where(ne(posts.status, "hidden"));
  return db
    .delete(reports)
    .where(and(eq(reports.reporterId, reporterId), inArray(reports.postId, shown)));
}
