import type { Event, Service } from "@flock/contracts";
import { type Db, openSession, type Statement } from "./db";
import {
  type DeadLettersTable,
  type InboxFailuresTable,
  replayDeadLetters,
  storeDeadLetters,
} from "./dead-letters";
import { consumeInbox, type ProcessedEventsTable } from "./inbox";
import {
  collectEnqueued,
  type OutboxTable,
  outboxBacklog,
  RELAY_GRACE_MS,
  type RelaySelection,
} from "./outbox";
import { prune } from "./prune";
import { endSpan, formatTraceparent, type SpanFields, startSpan } from "./trace";

/** How long the oldest message of a batch waited for this consumer, in milliseconds. */
function oldestAge(batch: MessageBatch, now = Date.now()): number {
  let oldest = now;
  for (const message of batch.messages) oldest = Math.min(oldest, message.timestamp.getTime());
  return now - oldest;
}

/**
 * The queue and cron handlers every consuming service has, written once: its inbox (each event
 * applied exactly once), its dead-letter queue (kept with the last error), the outbox relay after
 * each batch and every minute, and the replay of dead letters an operator marked.
 */
export function serviceHandlers<
  E extends { DB: D1Database; METRICS?: AnalyticsEngineDataset },
>(options: {
  inbox: Service;
  tables: {
    processed: ProcessedEventsTable;
    failures: InboxFailuresTable;
    deadLetters: DeadLettersTable;
    /** The service's outbox, when it produces events: sent rows are pruned after a week. */
    outbox?: OutboxTable;
  };
  /** The service's own inbox, where replayed dead letters go. */
  ownInbox: (env: E) => Queue;
  /** What the service does with an event: the statements that apply it. */
  handle: (db: Db, env: E, event: Event) => Promise<Statement[]>;
  /** Sends the outbox, for services that produce events: the given rows, or (cron) the settled ones. */
  relay?: (env: E, selection?: RelaySelection) => Promise<unknown>;
  /**
   * Work that follows the events of a batch applied for the first time, once committed (the live
   * pushes): handed to waitUntil, so it never holds the batch, and a failure there retries nothing.
   */
  settled?: (db: Db, env: E, events: Event[]) => Promise<unknown>;
}) {
  const { tables } = options;
  return {
    /**
     * One `consumer` span per batch, the root of its own trace: a batch mixes events of many
     * requests, each applied in an event span of its own trace (consumeInbox) that names the batch.
     */
    async queue(batch: MessageBatch, env: E, ctx: ExecutionContext): Promise<void> {
      const span = startSpan({
        name: batch.queue,
        service: options.inbox,
        kind: "consumer",
        metrics: env.METRICS,
      });
      const fields: SpanFields = {
        queue: batch.queue,
        messages: batch.messages.length,
        oldestAgeMs: oldestAge(batch),
      };
      try {
        // A consumer writes what it reads its database for: at the primary (decision 0015).
        const { db } = openSession(env.DB, "first-primary");
        if (batch.queue.endsWith("-dlq")) {
          await storeDeadLetters(batch, db, {
            deadLetters: tables.deadLetters,
            failures: tables.failures,
          });
          fields.deadLettered = batch.messages.length;
          endSpan(span, "ok", fields);
          return;
        }
        const written = collectEnqueued(db);
        const { applied, duplicates, retried } = await consumeInbox(batch, {
          inbox: options.inbox,
          db,
          processed: tables.processed,
          failures: tables.failures,
          handle: (event) => options.handle(db, env, event),
          trace: { metrics: env.METRICS, batch: span.spanId },
        });
        Object.assign(fields, { applied: applied.length, duplicates, retried });
        // Only the events this batch's effects wrote: the cron sends what any other relay left.
        if (options.relay && written.length > 0)
          ctx.waitUntil(options.relay(env, { ids: written, traceparent: formatTraceparent(span) }));
        if (options.settled && applied.length > 0) ctx.waitUntil(options.settled(db, env, applied));
        endSpan(span, "ok", fields);
      } catch (error) {
        endSpan(span, "error", fields);
        throw error;
      }
    },
    /**
     * Every minute: re-send outbox events whose first send failed, replay dead letters marked for
     * replay, and forget bookkeeping older than a week.
     */
    async scheduled(_controller: ScheduledController, env: E): Promise<void> {
      const span = startSpan({
        name: `${options.inbox}.scheduled`,
        service: options.inbox,
        kind: "cron",
        metrics: env.METRICS,
      });
      const fields: SpanFields = {};
      try {
        const { db } = openSession(env.DB, "first-primary");
        if (options.relay)
          await options.relay(env, {
            settledMs: RELAY_GRACE_MS,
            traceparent: formatTraceparent(span),
          });
        // What the relay left: the backlog an operator watches (docs/OPERATIONS.md "Metrics").
        if (tables.outbox) {
          const backlog = await outboxBacklog(db, tables.outbox);
          fields.outboxUnsent = backlog.unsent;
          fields.outboxOldestAgeMs = backlog.oldestAgeMs;
        }
        await replayDeadLetters(db, tables.deadLetters, options.ownInbox(env));
        await prune(db, tables);
        endSpan(span, "ok", fields);
      } catch (error) {
        endSpan(span, "error", fields);
        throw error;
      }
    },
  };
}
