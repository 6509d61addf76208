import { eq } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { type Db, inList } from "./db";
import { describeError } from "./errors";

/**
 * The table every consuming service declares: the messages its dead-letter queue received, each with
 * the last error its inbox consumer hit. Kept until someone replays or deletes them (docs/RELIABILITY.md).
 */
export function deadLettersTable() {
  return sqliteTable("dead_letters", {
    id: text("id").primaryKey(),
    queue: text("queue").notNull(),
    body: text("body").notNull(),
    error: text("error"),
    attempts: integer("attempts").notNull(),
    receivedAt: integer("received_at").notNull(),
    /** Set by an operator (`npm run dead-letters -- replay`); the next cron run re-sends the message. */
    replayRequested: integer("replay_requested").notNull().default(0),
  });
}
export type DeadLettersTable = ReturnType<typeof deadLettersTable>;

/** The last failure of each message an inbox consumer could not apply, keyed by event (or message) id. */
export function inboxFailuresTable() {
  return sqliteTable("inbox_failures", {
    key: text("key").primaryKey(),
    error: text("error").notNull(),
    attempts: integer("attempts").notNull(),
    failedAt: integer("failed_at").notNull(),
    /** When the message was first enqueued (its first failure's `message.timestamp`): how long it has waited. */
    enqueuedAt: integer("enqueued_at"),
  });
}
export type InboxFailuresTable = ReturnType<typeof inboxFailuresTable>;

/** The key a message's failures are kept under: its event id when it has one. */
export function failureKey(message: Message): string {
  const body = message.body as { id?: unknown } | null;
  return typeof body?.id === "string" ? body.id : message.id;
}

export async function recordFailure(
  db: Db,
  failures: InboxFailuresTable,
  message: Message,
  error: unknown,
): Promise<void> {
  const row = {
    key: failureKey(message),
    error: describeError(error).slice(0, 1000),
    attempts: message.attempts,
    failedAt: Date.now(),
    enqueuedAt: message.timestamp.getTime(),
  };
  await db
    .insert(failures)
    .values(row)
    .onConflictDoUpdate({
      target: failures.key,
      set: { error: row.error, attempts: row.attempts, failedAt: row.failedAt },
    });
}

/** The dead-letter queue's consumer: keeps every message with its last error, never drops one. */
export async function storeDeadLetters(
  batch: MessageBatch,
  db: Db,
  tables: { deadLetters: DeadLettersTable; failures: InboxFailuresTable },
): Promise<void> {
  for (const message of batch.messages) {
    const [failure] = await db
      .select()
      .from(tables.failures)
      .where(eq(tables.failures.key, failureKey(message)))
      .limit(1);
    await db
      .insert(tables.deadLetters)
      .values({
        id: message.id,
        queue: batch.queue,
        body: JSON.stringify(message.body) ?? "null",
        error: failure?.error ?? null,
        attempts: failure?.attempts ?? message.attempts,
        receivedAt: Date.now(),
      })
      .onConflictDoNothing();
    console.error(
      JSON.stringify({
        level: "error",
        message: "dead letter stored",
        queue: batch.queue,
        id: message.id,
        error: failure?.error,
      }),
    );
    message.ack();
  }
}

/** Re-sends the dead letters an operator marked for replay to the inbox they failed in, then forgets them. */
export async function replayDeadLetters(
  db: Db,
  deadLetters: DeadLettersTable,
  inbox: Queue,
): Promise<number> {
  const rows = await db
    .select()
    .from(deadLetters)
    .where(eq(deadLetters.replayRequested, 1))
    .limit(100);
  if (rows.length === 0) return 0;
  await inbox.sendBatch(
    rows.map((row) => ({ body: JSON.parse(row.body) as unknown, contentType: "json" as const })),
  );
  await db.delete(deadLetters).where(
    inList(
      deadLetters.id,
      rows.map((row) => row.id),
    ),
  );
  return rows.length;
}
