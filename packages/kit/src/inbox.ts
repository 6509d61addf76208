import { Event, eventsFor, type Service } from "@flock/contracts";
import { eq } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { type Db, runBatch, type Statement } from "./db";
import { type InboxFailuresTable, recordFailure } from "./dead-letters";
import { describeError } from "./errors";

/** The table every consuming service declares in its schema: the ids of events already applied. */
export function processedEventsTable() {
  return sqliteTable("processed_events", {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    processedAt: integer("processed_at").notNull(),
  });
}
export type ProcessedEventsTable = ReturnType<typeof processedEventsTable>;

/** What a consumer does with one event: the statements that apply it, run in one batch. */
export type EventHandler = (event: Event) => Promise<Statement[]>;

export type InboxOptions = {
  inbox: Service;
  db: Db;
  processed: ProcessedEventsTable;
  /** Where each failure is noted, so the dead-letter consumer can keep the error with the message. */
  failures: InboxFailuresTable;
  handle: EventHandler;
};

/**
 * The D1 queries one event may cost, its batch included. An inbox batch holds up to 10 messages
 * (max_batch_size), and together they must stay well under D1's 1,000 queries per invocation; an
 * effect that would cost more is split into pages, each continued by an event of its own.
 */
export const QUERIES_PER_EVENT = 50;

/** Seconds before a failed message is tried again: 2, 4, 8 ... capped at a minute. */
export function retryDelay(attempts: number): number {
  return Math.min(60, 2 ** Math.max(1, attempts));
}

/**
 * Applies each message of a batch exactly once: parse with the contracts schema, skip events already
 * recorded, run the handler's statements and the processed-event record in one D1 batch, then ack.
 * A failure retries that message alone with backoff; after the queue's max_retries it dead-letters.
 */
export async function consumeInbox(batch: MessageBatch, options: InboxOptions): Promise<void> {
  const accepted = new Set(eventsFor(options.inbox));
  for (const message of batch.messages) {
    const parsed = Event.safeParse(message.body);
    if (!parsed.success || !accepted.has(parsed.data.type)) {
      console.error(
        JSON.stringify({
          level: "error",
          message: parsed.success ? "event not for this inbox" : "malformed event",
          inbox: options.inbox,
          messageId: message.id,
          issues: parsed.success ? undefined : parsed.error.issues.slice(0, 5),
        }),
      );
      await noteFailure(
        options,
        message,
        parsed.success ? "event not for this inbox" : "malformed event",
      );
      message.retry({ delaySeconds: retryDelay(message.attempts) });
      continue;
    }
    const event = parsed.data;
    try {
      await applyOnce(options, event);
      message.ack();
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          message: "event handler failed",
          inbox: options.inbox,
          eventId: event.id,
          type: event.type,
          requestId: event.requestId,
          attempts: message.attempts,
          error: describeError(error),
        }),
      );
      await noteFailure(options, message, error);
      message.retry({ delaySeconds: retryDelay(message.attempts) });
    }
  }
}

/** Notes why a message failed; a failure to note it must not stop the retry. */
async function noteFailure(options: InboxOptions, message: Message, error: unknown): Promise<void> {
  try {
    await recordFailure(options.db, options.failures, message, error);
  } catch (noted) {
    console.error(
      JSON.stringify({
        level: "error",
        message: "could not record an inbox failure",
        error: describeError(noted),
      }),
    );
  }
}

/** Applies one event unless it was applied before; the record and the effect commit together. */
export async function applyOnce(
  options: Pick<InboxOptions, "db" | "processed" | "handle">,
  event: Event,
): Promise<boolean> {
  const { db, processed } = options;
  const seen = await db
    .select({ id: processed.id })
    .from(processed)
    .where(eq(processed.id, event.id))
    .limit(1);
  if (seen.length > 0) return false;
  const statements = await options.handle(event);
  // A concurrent delivery of the same event fails here on the primary key and rolls its effect back.
  await runBatch(db, [
    ...statements,
    db.insert(processed).values({ id: event.id, type: event.type, processedAt: Date.now() }),
  ]);
  return true;
}
