import { Event, eventsFor, type Service } from "@flock/contracts";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { type Db, inList, runBatch, type Statement } from "./db";
import { type InboxFailuresTable, recordFailure } from "./dead-letters";
import { describeError } from "./errors";
import { endSpan, formatTraceparent, type Span, startSpan } from "./trace";

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
  /** Where event spans' data points go (the METRICS binding), and the consumer span they run in. */
  trace?: { metrics?: AnalyticsEngineDataset | undefined; batch?: string };
};

/** What a batch came to: the events it committed, the messages of events applied before, the retries. */
export type Consumed = { applied: Event[]; duplicates: number; retried: number };

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
 * One event of a batch to apply, with the messages that carry it (a duplicate delivery adds one),
 * and its event span: the event as the handler saw it carries that span as its traceparent.
 */
type Pending = { event: Event; messages: Message[]; statements: Statement[]; span?: Span };

/**
 * Applies each message of a batch exactly once, and answers the events this invocation committed
 * (each with its event span as traceparent), with the count of messages of events applied before and
 * of those it retried: parse with the contracts schema, skip events already recorded (one read for
 * the whole batch), then run every handler's statements and the processed records in one D1 batch,
 * and ack. When that batch fails (one handler's statements fail, or a
 * concurrent delivery of an event got its processed record in first), each event's statements run
 * again in a batch of their own, so a bad message retries alone, with backoff, and the others still
 * ack; after the queue's max_retries it dead-letters.
 *
 * Handlers build their statements before any of the batch is applied, as two consumer invocations
 * running at once (Queues runs several) would: an effect never relies on an earlier event of the
 * same batch having been applied, only on the conditions written into its statements.
 *
 * Each event applied gets an `event` span, a child of the span that wrote the event (its
 * traceparent), so a trace goes on across the queue; the calls its handler makes are its children.
 *
 * D1 queries: the read of processed ids, each event's own reads and statements (at most
 * QUERIES_PER_EVENT, less the read it no longer makes), and the same statements once more when the
 * batch falls back: with 10 messages a batch, under 1,000.
 */
export async function consumeInbox(batch: MessageBatch, options: InboxOptions): Promise<Consumed> {
  const accepted = new Set(eventsFor(options.inbox));
  let acked = 0;
  let duplicates = 0;
  const ack = (message: Message) => {
    message.ack();
    acked += 1;
  };
  const consumed = (applied: Event[]): Consumed => ({
    applied,
    duplicates,
    retried: batch.messages.length - acked,
  });
  const events: Array<{ message: Message; event: Event }> = [];
  for (const message of batch.messages) {
    const parsed = Event.safeParse(message.body);
    if (parsed.success && accepted.has(parsed.data.type)) {
      events.push({ message, event: parsed.data });
      continue;
    }
    const reason = parsed.success ? "event not for this inbox" : "malformed event";
    console.error(
      JSON.stringify({
        level: "error",
        message: reason,
        inbox: options.inbox,
        messageId: message.id,
        issues: parsed.success ? undefined : parsed.error.issues.slice(0, 5),
      }),
    );
    await noteFailure(options, message, reason);
    message.retry({ delaySeconds: retryDelay(message.attempts) });
  }
  if (events.length === 0) return consumed([]);

  const seen = await processedAmong(options, [...new Set(events.map(({ event }) => event.id))]);
  const pending = new Map<string, Pending>();
  for (const { message, event } of events) {
    if (seen.has(event.id)) {
      ack(message);
      duplicates += 1;
      continue;
    }
    const known = pending.get(event.id);
    if (known) {
      known.messages.push(message);
      continue;
    }
    const span = startSpan({
      parent: event.traceparent,
      name: `${options.inbox}.${event.type}`,
      service: options.inbox,
      kind: "event",
      requestId: event.requestId,
      metrics: options.trace?.metrics,
    });
    const traced = { ...event, traceparent: formatTraceparent(span) };
    try {
      pending.set(event.id, {
        event: traced,
        messages: [message],
        statements: await options.handle(traced),
        span,
      });
    } catch (error) {
      await failed(options, { event: traced, messages: [message], statements: [], span }, error);
    }
  }

  const applying = [...pending.values()];
  if (applying.length === 0) return consumed([]);
  try {
    // A concurrent delivery of one of these events fails here on the primary key: all roll back.
    await runBatch(
      options.db,
      applying.flatMap((one) => withRecord(options, one)),
    );
    for (const one of applying) {
      for (const message of one.messages) ack(message);
      endEventSpan(options, one, "ok");
    }
    return consumed(applying.map((one) => one.event));
  } catch (error) {
    if (applying.length === 1 && applying[0]) {
      await failed(options, applying[0], error);
      return consumed([]);
    }
  }
  const committed: Event[] = [];
  for (const one of applying) {
    try {
      await runBatch(options.db, withRecord(options, one));
      for (const message of one.messages) ack(message);
      endEventSpan(options, one, "ok");
      committed.push(one.event);
    } catch (error) {
      // Applied meanwhile by a concurrent delivery, this retry finds its record and acks.
      await failed(options, one, error);
    }
  }
  return consumed(committed);
}

function endEventSpan(options: InboxOptions, one: Pending, outcome: "ok" | "error"): void {
  if (!one.span) return;
  const batch = options.trace?.batch;
  endSpan(one.span, outcome, {
    messages: one.messages.length,
    ...(outcome === "ok" ? { applied: 1 } : { retried: one.messages.length }),
    ...(batch ? { batch } : {}),
  });
}

/** The ids among these that were applied before: one read. */
async function processedAmong(
  options: Pick<InboxOptions, "db" | "processed">,
  ids: readonly string[],
): Promise<Set<string>> {
  const { db, processed } = options;
  const rows = await db
    .select({ id: processed.id })
    .from(processed)
    .where(inList(processed.id, ids));
  return new Set(rows.map((row) => row.id));
}

/** An event's statements and its processed record, to commit together. */
function withRecord(options: Pick<InboxOptions, "db" | "processed">, one: Pending): Statement[] {
  const { db, processed } = options;
  const { event } = one;
  return [
    ...one.statements,
    db.insert(processed).values({ id: event.id, type: event.type, processedAt: Date.now() }),
  ];
}

/** Logs and notes why an event failed, and retries its messages with backoff. */
async function failed(options: InboxOptions, one: Pending, error: unknown): Promise<void> {
  const { event } = one;
  for (const message of one.messages) {
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
  endEventSpan(options, one, "error");
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
  if ((await processedAmong(options, [event.id])).has(event.id)) return false;
  const statements = await options.handle(event);
  // A concurrent delivery of the same event fails here on the primary key and rolls its effect back.
  await runBatch(options.db, withRecord(options, { event, messages: [], statements }));
  return true;
}
