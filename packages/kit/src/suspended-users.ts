import type { Event } from "@flock/contracts";
import { sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Db, Statement } from "./db";

/**
 * The copy of account suspensions a service that owns an account's writes declares in its schema,
 * as deletedUsersTable is for deletions: its triggers refuse a write by an account suspended here.
 * One row per account that was ever suspended, as of the newest suspension event applied.
 */
export function suspendedUsersTable() {
  return sqliteTable("suspended_users", {
    id: text("id").primaryKey(),
    suspended: integer("suspended", { mode: "boolean" }).notNull(),
    /** The event that made the change (ids sort by time): an older one never overrides it. */
    eventId: text("event_id").notNull(),
    /** When this service learnt of it: from then on its triggers refuse the account's writes. */
    recordedAt: text("recorded_at").notNull(),
  });
}
export type SuspendedUsersTable = ReturnType<typeof suspendedUsersTable>;

/** The statement that applies a user.suspended or user.unsuspended event to the copy, in order. */
export function recordSuspension(
  db: Db,
  table: SuspendedUsersTable,
  event: Extract<Event, { type: "user.suspended" | "user.unsuspended" }>,
): Statement {
  const row = {
    id: event.data.userId,
    suspended: event.type === "user.suspended",
    eventId: event.id,
    recordedAt: new Date().toISOString(),
  };
  return db
    .insert(table)
    .values(row)
    .onConflictDoUpdate({
      target: table.id,
      set: { suspended: row.suspended, eventId: row.eventId, recordedAt: row.recordedAt },
      setWhere: sql`${table.eventId} < ${row.eventId}`,
    });
}
