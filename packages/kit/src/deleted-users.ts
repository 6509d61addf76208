import type { Event } from "@flock/contracts";
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Db, Statement } from "./db";

/**
 * The tombstone table a service that owns a deleted account's writes declares in its schema: the
 * accounts user.deleted has named. The service's triggers read it to refuse or drop a late write.
 */
export function deletedUsersTable() {
  return sqliteTable("deleted_users", {
    id: text("id").primaryKey(),
    deletedAt: text("deleted_at").notNull(),
  });
}
export type DeletedUsersTable = ReturnType<typeof deletedUsersTable>;

/** The statement that records an account's deletion, once, from its user.deleted event. */
export function buryUser(
  db: Db,
  table: DeletedUsersTable,
  event: Extract<Event, { type: "user.deleted" }>,
): Statement {
  return db
    .insert(table)
    .values({ id: event.data.userId, deletedAt: event.occurredAt })
    .onConflictDoNothing();
}
