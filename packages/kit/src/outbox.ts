import {
  type Event,
  type EventData,
  type EventType,
  type Service,
  subscriptions,
} from "@flock/contracts";
import { isNull, sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
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

/** Builds an event envelope; the id is new and time-sortable. */
export function makeEvent<T extends EventType>(
  producer: Service,
  requestId: string,
  type: T,
  data: EventData<T>,
): Event {
  return {
    id: newId(),
    type,
    version: 1,
    occurredAt: nowIso(),
    producer,
    requestId,
    data,
  } as Event;
}

function outboxRow(event: Event) {
  return { id: event.id, type: event.type, payload: JSON.stringify(event), createdAt: Date.now() };
}

/** The statement that records an event in the outbox, to run in the same batch as the change it describes. */
export function enqueue(db: Db, outbox: OutboxTable, event: Event): Statement {
  return db.insert(outbox).values(outboxRow(event));
}

/** The statements that record many events in the outbox: as few as D1's parameter limit allows. */
export function enqueueAll(db: Db, outbox: OutboxTable, events: readonly Event[]): Statement[] {
  return insertGroups(outbox, events.map(outboxRow)).map((rows) => db.insert(outbox).values(rows));
}

/**
 * Records an event only when the statement just before it in the batch changed a row, so an
 * idempotent write (a second follow, a second like) emits nothing even under concurrent requests.
 */
export function enqueueIfChanged(db: Db, outbox: OutboxTable, event: Event): Statement {
  return db
    .insert(outbox)
    .select(
      sql`SELECT ${event.id}, ${event.type}, ${JSON.stringify(event)}, ${Date.now()}, NULL, 0 WHERE changes() > 0`,
    );
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
 * Sends unsent outbox events to every subscribed inbox and marks them sent. A send that fails leaves
 * its event unsent for the next relay (the cron trigger); consumers are idempotent, so resending to
 * an inbox that already has the event is harmless.
 */
export async function relayOutbox(
  db: Db,
  outbox: OutboxTable,
  inboxes: Inboxes,
  options: { limit?: number; bookmark?: () => string | null } = {},
): Promise<{ sent: number; failed: number }> {
  const rows = await db
    .select()
    .from(outbox)
    .where(isNull(outbox.sentAt))
    .orderBy(outbox.createdAt)
    .limit(options.limit ?? 100);
  if (rows.length === 0) return { sent: 0, failed: 0 };

  const failed = new Set<string>();
  const byInbox = new Map<Service, Array<{ id: string; event: Event }>>();
  for (const row of rows) {
    const event = JSON.parse(row.payload) as Event;
    for (const inbox of subscriptions[event.type] as readonly Service[]) {
      byInbox.set(inbox, [...(byInbox.get(inbox) ?? []), { id: row.id, event }]);
    }
  }
  for (const [inbox, entries] of byInbox) {
    const queue = inboxes[inbox];
    try {
      if (!queue) throw new Error(`no queue binding for the ${inbox} inbox`);
      const bookmark = options.bookmark?.() ?? null;
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
