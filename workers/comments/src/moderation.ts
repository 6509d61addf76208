import {
  type AuditEntry,
  type ListQuery,
  ListQuery as ListQuerySchema,
  type Page,
  REPORT_ID_PREFIX,
  type ReportCase,
  type ResolveInput,
  ResolveInput as ResolveInputSchema,
} from "@flock/contracts";
import {
  AppError,
  audit,
  changedJustBefore,
  decodeCursor,
  listAudit,
  moderate,
  moderator,
  nowIso,
  parseInput,
  type ReportCaseRow,
  reportCasePage,
} from "@flock/kit";
import { and, eq, isNull, sql } from "drizzle-orm";
import { type CommentRow, deletion, onCurrent, stale, visibilityChange } from "./comments";
import { comments, moderationAudit, reports } from "./db/schema";
import type { Scope } from "./scope";

/**
 * Comments with open reports (neither resolved by a moderator nor dismissed by the post's author's
 * approval), the oldest first report first, after a cursor caseKey made here or in another
 * service's queue.
 */
export async function listReportCases(scope: Scope, raw: ListQuery): Promise<Page<ReportCase>> {
  moderator(scope);
  const query = parseInput(ListQuerySchema, raw);
  const after = decodeCursor(query.cursor) ?? "";
  const rows = await scope.db.all<ReportCaseRow>(sql`
    SELECT r.comment_id AS targetId, min(r.created_at) AS firstReportedAt, count(*) AS reportCount,
      json_group_array(DISTINCT r.reason) AS reasons, c.body AS text, c.status AS status
    FROM ${reports} r INDEXED BY reports_open JOIN ${comments} c ON c.id = r.comment_id
    WHERE r.resolved_at IS NULL AND r.dismissed = 0
    GROUP BY r.comment_id
    HAVING (min(r.created_at) || '|' || ${REPORT_ID_PREFIX.comment} || r.comment_id) > ${after}
    ORDER BY min(r.created_at), r.comment_id
    LIMIT ${query.limit + 1}`);
  return reportCasePage("comment", rows, query.limit);
}

/** The comment still has the status it was read with. */
function unchangedSince(current: CommentRow) {
  return sql`EXISTS (SELECT 1 FROM ${comments} WHERE ${comments.id} = ${current.id} AND ${comments.status} = ${current.status})`;
}

/** Any comment, whatever its status: a moderator acts on hidden ones too. */
async function findAny(scope: Scope, commentId: string): Promise<CommentRow> {
  const [row] = await scope.db.select().from(comments).where(eq(comments.id, commentId)).limit(1);
  if (!row) throw new AppError("not_found", "That comment does not exist.");
  return row;
}

/**
 * A moderator's decision on a comment, in one transaction with its audit entry and written only
 * while the comment's status is still the one read: `dismiss` closes its open reports and shows a
 * hidden comment again (held instead, should its text break a rule), `hide` closes them and hides
 * it, `remove` deletes it as its author's delete would.
 */
export async function resolveReportCase(
  scope: Scope,
  commentId: string,
  raw: ResolveInput,
): Promise<null> {
  const me = moderator(scope);
  const input = parseInput(ResolveInputSchema, raw);
  const { db } = scope;
  const entry = {
    moderatorId: me,
    action: input.action,
    targetKind: "comment" as const,
    targetId: commentId,
    reason: input.reason ?? null,
  };
  return onCurrent(
    scope,
    commentId,
    async (current) => {
      if (input.action === "remove") {
        const [deleted] = await db.batch([
          ...deletion(scope, current),
          audit(db, moderationAudit, entry, { when: changedJustBefore }),
        ]);
        return deleted.length > 0 ? null : stale;
      }
      const status =
        input.action === "hide"
          ? "hidden"
          : current.status === "hidden"
            ? moderate(current.body).status
            : current.status;
      // A batch is one transaction: each statement is written only while the comment is as read,
      // so when it changed meanwhile nothing is written and the step runs again on fresh state.
      const asRead = unchangedSince(current);
      const [, , changed] = await db.batch([
        db
          .update(reports)
          .set({ resolvedAt: nowIso() })
          .where(and(eq(reports.commentId, current.id), isNull(reports.resolvedAt), asRead)),
        audit(db, moderationAudit, entry, { when: asRead }),
        db
          .update(comments)
          .set({ status })
          .where(and(eq(comments.id, current.id), eq(comments.status, current.status)))
          .returning({ id: comments.id }),
        ...visibilityChange(scope, current, status),
      ]);
      return changed.length > 0 ? null : stale;
    },
    findAny,
  );
}

/** This service's audit log (resolutions of reports on comments), newest first. */
export async function listCommentsAudit(scope: Scope, query: ListQuery): Promise<Page<AuditEntry>> {
  moderator(scope);
  return listAudit(scope.db, moderationAudit, query);
}
