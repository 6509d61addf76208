import {
  type AuditEntry,
  type ListQuery,
  ListQuery as ListQuerySchema,
  type ModerationAction,
  type ModerationTargetKind,
  type Page,
} from "@flock/contracts";
import { desc, lt, type SQL, sql } from "drizzle-orm";
import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Db, Statement } from "./db";
import { newId, nowIso } from "./ids";
import { decodeCursor, toPage } from "./pagination";
import { parseInput } from "./validation";

/**
 * The audit log a service that performs moderator actions declares in its schema: one row per
 * action, written in the action's own batch, so no action is done unrecorded or recorded undone.
 */
export function moderationAuditTable() {
  return sqliteTable(
    "moderation_audit",
    {
      // A ULID: the log reads newest first, and logs of several services merge by it.
      id: text("id").primaryKey(),
      moderatorId: text("moderator_id"),
      action: text("action").$type<ModerationAction>().notNull(),
      targetKind: text("target_kind").$type<ModerationTargetKind>().notNull(),
      targetId: text("target_id").notNull(),
      reason: text("reason"),
      createdAt: text("created_at").notNull(),
    },
    (table) => [index("moderation_audit_by_target").on(table.targetId)],
  );
}
export type ModerationAuditTable = ReturnType<typeof moderationAuditTable>;

/**
 * The statement that records one moderator action; with `when`, only if that condition holds when
 * it runs, so an action that a racing one made moot (a second suspension, a resolution of a comment
 * that changed meanwhile) is not recorded. See `changedJustBefore`.
 */
export function audit(
  db: Db,
  table: ModerationAuditTable,
  entry: Omit<AuditEntry, "id" | "createdAt">,
  options: { when?: SQL } = {},
): Statement {
  const row = { id: newId(), createdAt: nowIso(), ...entry };
  if (!options.when) return db.insert(table).values(row);
  return db
    .insert(table)
    .select(
      sql`SELECT ${row.id}, ${row.moderatorId}, ${row.action}, ${row.targetKind}, ${row.targetId}, ${row.reason}, ${row.createdAt} WHERE ${options.when}`,
    );
}

/** A condition for `audit`: the statement just before it in the batch changed a row. */
export const changedJustBefore = sql`changes() > 0`;

/** A page of the audit log, newest first. */
export async function listAudit(
  db: Db,
  table: ModerationAuditTable,
  raw: ListQuery,
): Promise<Page<AuditEntry>> {
  const query = parseInput(ListQuerySchema, raw);
  const before = decodeCursor(query.cursor);
  const rows = await db
    .select()
    .from(table)
    .where(before ? lt(table.id, before) : undefined)
    .orderBy(desc(table.id))
    .limit(query.limit + 1);
  return toPage(
    rows,
    query.limit,
    (row) => row.id,
    (row) => row,
  );
}
