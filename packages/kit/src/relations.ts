import type { Event } from "@flock/contracts";
import { type SQL, sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Db, Statement } from "./db";

/**
 * The copy of the users service's blocks and mutes a service that honours them declares in its
 * schema: one row per (user, other, kind), as of the newest event about the pair, so a block and
 * its unblock that arrive out of order still leave the newer word standing. Newest by the users
 * service's commit order (`revision`), then by event id: a block and an unblock racing can commit in
 * the other order than their ids sort.
 */
export function relationsTable() {
  return sqliteTable(
    "relations",
    {
      userId: text("user_id").notNull(),
      otherId: text("other_id").notNull(),
      kind: text("kind", { enum: ["block", "mute"] }).notNull(),
      active: integer("active", { mode: "boolean" }).notNull(),
      eventId: text("event_id").notNull(),
      /** The pair's revision in the users service (decision 0019); 0 for events from before it. */
      revision: integer("revision").notNull().default(0),
    },
    (table) => [
      primaryKey({ columns: [table.userId, table.otherId, table.kind] }),
      index("relations_by_other").on(table.otherId, table.kind, table.userId),
    ],
  );
}
export type RelationsTable = ReturnType<typeof relationsTable>;

type RelationEvent = Extract<
  Event,
  { type: "user.blocked" | "user.unblocked" | "user.muted" | "user.unmuted" }
>;

/** Whether an event is one of the four that set a block or a mute. */
export function isRelationEvent(event: Event): event is RelationEvent {
  return (
    event.type === "user.blocked" ||
    event.type === "user.unblocked" ||
    event.type === "user.muted" ||
    event.type === "user.unmuted"
  );
}

/** The pair and kind a relation event is about, and whether it now stands. */
function relationOf(event: RelationEvent): {
  userId: string;
  otherId: string;
  kind: "block" | "mute";
  active: boolean;
} {
  switch (event.type) {
    case "user.blocked":
    case "user.unblocked":
      return {
        userId: event.data.blockerId,
        otherId: event.data.blockedId,
        kind: "block",
        active: event.type === "user.blocked",
      };
    case "user.muted":
    case "user.unmuted":
      return {
        userId: event.data.muterId,
        otherId: event.data.mutedId,
        kind: "mute",
        active: event.type === "user.muted",
      };
  }
}

/** The statement that records a block or mute event, unless a newer one about the pair came first. */
export function recordRelation(db: Db, table: RelationsTable, event: RelationEvent): Statement {
  const revision = event.data.revision ?? 0;
  const row = { ...relationOf(event), eventId: event.id, revision };
  return db
    .insert(table)
    .values(row)
    .onConflictDoUpdate({
      target: [table.userId, table.otherId, table.kind],
      set: { active: row.active, eventId: event.id, revision },
      setWhere: sql`(${table.revision}, ${table.eventId}) < (${revision}, ${event.id})`,
    });
}

/**
 * SQL that is true when a block stands between `a` and any of `others`, whichever side made it:
 * two primary-key probes of the relations table per account. `others` may hold NULLs (a post's
 * shared author when it shares nothing): they match nothing.
 */
export function blockedBetween(a: SQL | string, others: Array<SQL | string>): SQL {
  const list = sql.join(
    others.map((other) => sql`${other}`),
    sql`, `,
  );
  return sql`EXISTS (SELECT 1 FROM relations r WHERE r.kind = 'block' AND r.active = 1 AND ((r.user_id = ${a} AND r.other_id IN (${list})) OR (r.other_id = ${a} AND r.user_id IN (${list}))))`;
}

/** SQL that is true when `user` mutes any of `others`. */
export function mutedBy(user: SQL | string, others: Array<SQL | string>): SQL {
  const list = sql.join(
    others.map((other) => sql`${other}`),
    sql`, `,
  );
  return sql`EXISTS (SELECT 1 FROM relations r WHERE r.kind = 'mute' AND r.active = 1 AND r.user_id = ${user} AND r.other_id IN (${list}))`;
}
