import {
  type Event,
  type EventData,
  type EventType,
  inboxesFor,
  type Service,
} from "@flock/contracts";
import { and, eq, getTableColumns, isNull, lt, sql } from "drizzle-orm";
import {
  index,
  integer,
  type SQLiteColumn,
  type SQLiteTable,
  sqliteTable,
  text,
} from "drizzle-orm/sqlite-core";
import { type Db, inList, insertGroups, type Statement } from "./db";
import { describeError } from "./errors";
import { newId, nowIso } from "./ids";

/** The outbox table every producing service declares in its schema: one row per event. */
export function outboxTable() {
  return sqliteTable(
    "outbox",
    {
      id: text("id").primaryKey(),
      type: text("type").notNull(),
      payload: text("payload").notNull(),
      createdAt: integer("created_at").notNull(),
      sentAt: integer("sent_at"),
      attempts: integer("attempts").notNull().default(0),
    },
    (table) => [index("outbox_unsent").on(table.createdAt).where(sql`sent_at IS NULL`)],
  );
}
export type OutboxTable = ReturnType<typeof outboxTable>;

/** A producer's queue bindings, by the inbox they lead to. */
export type Inboxes = Partial<Record<Service, Queue>>;

/**
 * Where an event comes from: the request it belongs to and the span that writes it. A CallContext
 * (a write's) or the event being applied (a consumer's) is one.
 */
export type Origin = { requestId: string; traceparent?: string | undefined };

/** Builds an event envelope; the id is new and time-sortable. */
export function makeEvent<T extends EventType>(
  producer: Service,
  origin: Origin,
  type: T,
  data: EventData<T>,
): Event {
  return {
    id: newId(),
    type,
    version: 1,
    occurredAt: nowIso(),
    producer,
    requestId: origin.requestId,
    ...(origin.traceparent ? { traceparent: origin.traceparent } : {}),
    data,
  } as Event;
}

/**
 * The outbox rows each open database handle was asked to write, by handle: a write (or an inbox
 * batch) relays these and only these once it is done, so concurrent writes do not send each other's
 * events. A handle belongs to one request or one queue batch (see `collectEnqueued`).
 */
const enqueued = new WeakMap<Db, string[]>();

/**
 * Starts noting the ids of the events enqueued through `db`, and returns the list they go into.
 * An id is noted when its statement is made, so a statement whose batch never ran or rolled back
 * leaves an id with no row behind it: the relay reads the rows back and skips those.
 */
export function collectEnqueued(db: Db): string[] {
  const ids: string[] = [];
  enqueued.set(db, ids);
  return ids;
}

function outboxRow(db: Db, event: Event) {
  enqueued.get(db)?.push(event.id);
  return { id: event.id, type: event.type, payload: JSON.stringify(event), createdAt: Date.now() };
}

/** The statement that records an event in the outbox, to run in the same batch as the change it describes. */
export function enqueue(db: Db, outbox: OutboxTable, event: Event): Statement {
  return db.insert(outbox).values(outboxRow(db, event));
}

/** The statements that record many events in the outbox: as few as D1's parameter limit allows. */
export function enqueueAll(db: Db, outbox: OutboxTable, events: readonly Event[]): Statement[] {
  const rows = events.map((event) => outboxRow(db, event));
  return insertGroups(outbox, rows).map((group) => db.insert(outbox).values(group));
}

/**
 * Records an event only when the statement just before it in the batch changed a row, so an
 * idempotent write (a second follow, a second like) emits nothing even under concurrent requests.
 */
export function enqueueIfChanged(db: Db, outbox: OutboxTable, event: Event): Statement {
  enqueued.get(db)?.push(event.id);
  return db
    .insert(outbox)
    .select(
      sql`SELECT ${event.id}, ${event.type}, ${JSON.stringify(event)}, ${Date.now()}, NULL, 0 WHERE changes() > 0`,
    );
}

/**
 * The revision counter a producer keeps for an item whose changes can race (a follow pair, a like,
 * a block): the table, its revision column, and the item's key columns with their values, in the
 * table's column order, the revision last.
 */
export type Revisions = {
  table: SQLiteTable;
  revision: SQLiteColumn;
  key: ReadonlyArray<readonly [SQLiteColumn, string]>;
};

/**
 * The statements that follow an item's write in its batch: when that write changed a row, they step
 * the item's revision, enqueue the event and write the revision into the queued event (its
 * `data.revision`), all in the write's transaction. SQLite on the primary runs one write transaction
 * at a time, so revisions order an item's changes as they committed, which consumers trust over the
 * event ids (docs/decisions/0019-commit-ordered-follows.md).
 */
export function enqueueRevised(
  db: Db,
  outbox: OutboxTable,
  event: Event,
  revisions: Revisions,
): Statement[] {
  const { table, revision, key } = revisions;
  const values = sql.join(
    key.map(([, value]) => sql`${value}`),
    sql`, `,
  );
  const matches = sql.join(
    key.map(([column, value]) => sql`${column} = ${value}`),
    sql` AND `,
  );
  const columns = getTableColumns(table);
  const counter = Object.keys(columns).find((name) => columns[name] === revision) ?? revision.name;
  return [
    db
      .insert(table)
      // The key's values, then a first revision: the table's columns in order. The WHERE reads the
      // change count of the write just before (triggers' changes are not counted); it also keeps
      // SQLite from reading the ON CONFLICT as a join constraint.
      .select(sql`SELECT ${values}, 1 WHERE changes() > 0`)
      .onConflictDoUpdate({
        target: key.map(([column]) => column),
        set: { [counter]: sql`${revision} + 1` },
      }),
    // changes() now counts the revision's step, which happened exactly when the write changed a row.
    enqueueIfChanged(db, outbox, event),
    db
      .update(outbox)
      .set({
        payload: sql`json_set(${outbox.payload}, '$.data.revision', (SELECT ${revision} FROM ${table} WHERE ${matches}))`,
      })
      .where(eq(outbox.id, event.id)),
  ];
}

/**
 * The event as the relay sends it: with the producer's bookmark, taken once its outbox row has been
 * read back, so at least as fresh as the write that made it (decision 0015). Without a bookmark (a
 * database with no sessions), as it was written.
 */
export function stampBookmark(event: Event, bookmark: string | null): Event {
  return bookmark ? { ...event, bookmark } : event;
}

/**
 * How old an unsent row must be before the cron relay sends it: younger ones belong to a write or
 * an inbox batch whose own relay is still under way, and sending them too would only send them twice.
 */
export const RELAY_GRACE_MS = 5_000;

/**
 * Rows one relay sends (a queue's sendBatch takes at most 100 messages), and how many such pages one
 * invocation relays: two D1 queries each, well within D1's queries per invocation.
 */
export const RELAY_PAGE = 100;
export const RELAY_PAGES = 10;

/**
 * Which unsent rows a relay sends: the given ids (a write's own), or those older than `settledMs`;
 * and the producer's bookmark to stamp them with, read once the rows have been read back.
 */
export type RelaySelection = {
  ids?: readonly string[];
  settledMs?: number;
  limit?: number;
  bookmark?: () => string | null;
  /** The span the relay is part of (the write's, the batch's, the cron's). */
  traceparent?: string;
};

/**
 * How many outbox rows are unsent, and how long the oldest of them has waited (0 when none): one
 * index-only read of the partial outbox_unsent index, made by the cron, never by a request.
 */
export async function outboxBacklog(
  db: Db,
  outbox: OutboxTable,
  now = Date.now(),
): Promise<{ unsent: number; oldestAgeMs: number }> {
  const [row] = await db
    .select({ unsent: sql<number>`count(*)`, oldest: sql<number | null>`min(${outbox.createdAt})` })
    .from(outbox)
    .where(isNull(outbox.sentAt));
  const oldest = row?.oldest ?? null;
  return { unsent: row?.unsent ?? 0, oldestAgeMs: oldest === null ? 0 : Math.max(0, now - oldest) };
}

/**
 * Sends unsent outbox events to every inbox that acts on them (`inboxesFor`) and marks them sent.
 * A write relays only the rows it wrote (`ids`); the cron relay whatever stayed unsent for longer
 * than `settledMs`. A send that fails leaves its event unsent for the next cron relay; consumers are
 * idempotent, so resending to an inbox that already has the event is harmless.
 */
export async function relayOutbox(
  db: Db,
  outbox: OutboxTable,
  inboxes: Inboxes,
  selection: RelaySelection = {},
): Promise<{ sent: number; failed: number }> {
  const { ids, settledMs } = selection;
  if (ids?.length === 0) return { sent: 0, failed: 0 };
  const rows = await db
    .select()
    .from(outbox)
    .where(
      and(
        isNull(outbox.sentAt),
        ids ? inList(outbox.id, ids) : undefined,
        settledMs === undefined ? undefined : lt(outbox.createdAt, Date.now() - settledMs),
      ),
    )
    .orderBy(outbox.createdAt)
    .limit(selection.limit ?? RELAY_PAGE);
  if (rows.length === 0) return { sent: 0, failed: 0 };

  const failed = new Set<string>();
  const byInbox = new Map<Service, Array<{ id: string; event: Event }>>();
  for (const row of rows) {
    const event = JSON.parse(row.payload) as Event;
    for (const inbox of inboxesFor(event)) {
      byInbox.set(inbox, [...(byInbox.get(inbox) ?? []), { id: row.id, event }]);
    }
  }
  for (const [inbox, entries] of byInbox) {
    const queue = inboxes[inbox];
    try {
      if (!queue) throw new Error(`no queue binding for the ${inbox} inbox`);
      const bookmark = selection.bookmark?.() ?? null;
      await queue.sendBatch(
        entries.map(({ event }) => ({ body: stampBookmark(event, bookmark), contentType: "json" })),
      );
    } catch (error) {
      for (const { id } of entries) failed.add(id);
      console.error(
        JSON.stringify({
          level: "warn",
          message: "outbox send failed",
          inbox,
          error: describeError(error),
        }),
      );
    }
  }

  const sentIds = rows.map((row) => row.id).filter((id) => !failed.has(id));
  const updates: Statement[] = [];
  if (sentIds.length > 0)
    updates.push(db.update(outbox).set({ sentAt: Date.now() }).where(inList(outbox.id, sentIds)));
  if (failed.size > 0) {
    updates.push(
      db
        .update(outbox)
        .set({ attempts: sql`${outbox.attempts} + 1` })
        .where(inList(outbox.id, [...failed])),
    );
  }
  const [first, ...rest] = updates;
  if (first) await db.batch([first, ...rest]);
  return { sent: sentIds.length, failed: failed.size };
}
