import { CallContext, type Result, type Service } from "@flock/contracts";
import { type Db, openSession, type Session, type SessionStart } from "./db";
import { toResult } from "./errors";
import {
  collectEnqueued,
  type Inboxes,
  type OutboxTable,
  RELAY_GRACE_MS,
  RELAY_PAGE,
  RELAY_PAGES,
  type RelaySelection,
  relayOutbox,
} from "./outbox";
import { endSpan, startSpan } from "./trace";
import { parseInput } from "./validation";

/** What a service's RPC methods share, declared once per service (see defineService). */
export type ServiceDefinition<E extends { DB: D1Database }, S> = {
  service: Service;
  /**
   * What every operation of the service works with, made from its database and the checked call;
   * `execution` lets it hand work (a mail) to waitUntil, to run once the answer is on its way.
   */
  scope: (db: Db, call: CallContext, env: E, execution: ExecutionContext) => S;
  /** The service's outbox and the inboxes its events go to, when it produces events. */
  outbox?: { table: OutboxTable; inboxes: (env: E) => Inboxes };
};

/**
 * The plumbing of a service's WorkerEntrypoint, written once: `read` checks the call context, opens
 * the service's database through a D1 session, runs the operation and reports its outcome as a
 * Result with the session's bookmark; `write` does the same at the primary and then sends the outbox
 * once the answer is on its way; `relay` sends the outbox.
 *
 * Every method on an entrypoint's prototype chain is callable over RPC, so these are not methods of
 * a base class: an entrypoint keeps `attach(this.env, this.ctx)` in a #private field.
 */
export function defineService<E extends { DB: D1Database }, S>(
  definition: ServiceDefinition<E, S>,
) {
  const { outbox } = definition;
  /**
   * Sends outbox rows: the given ones or, by default (the cron), those left unsent for longer than
   * RELAY_GRACE_MS. A page at a time, while pages go out whole, up to RELAY_PAGES of them. At the
   * primary: the rows it reads are committed, so the session's bookmark, stamped on each event,
   * covers them.
   */
  async function relay(env: E, selection: RelaySelection = { settledMs: RELAY_GRACE_MS }) {
    if (!outbox) return;
    // A relay span, child of the write, batch or cron it follows: the send is work of its own,
    // after the answer, and its failures (events left for the cron) show there.
    const span = startSpan({
      parent: selection.traceparent,
      name: `${definition.service}.relay`,
      service: definition.service,
      kind: "relay",
      metrics: (env as { METRICS?: AnalyticsEngineDataset }).METRICS,
    });
    let total = 0;
    let unsent = 0;
    try {
      const session = openSession(env.DB, "first-primary");
      const inboxes = outbox.inboxes(env);
      for (let page = 0; page < RELAY_PAGES; page++) {
        const { sent, failed } = await relayOutbox(session.db, outbox.table, inboxes, {
          ...selection,
          bookmark: session.bookmark,
        });
        total += sent;
        unsent += failed;
        if (failed > 0 || sent < RELAY_PAGE) break;
      }
      endSpan(span, unsent > 0 ? "error" : "ok", { sent: total, retried: unsent });
    } catch (error) {
      endSpan(span, "error", { sent: total, retried: unsent });
      throw error;
    }
  }
  return {
    relay,
    /** The read and write helpers of one entrypoint instance, over its env and execution context. */
    attach(env: E, execution: ExecutionContext) {
      /**
       * Runs an operation over a D1 session opened where `start` says, and answers its Result with
       * the bookmark the session reached (docs/decisions/0015-global-reads.md). `opened` hears of the
       * session's database handle before the operation runs.
       */
      async function run<T>(
        ctx: CallContext,
        start: (call: CallContext) => SessionStart,
        operation: (scope: S) => Promise<T>,
        opened?: (db: Db) => void,
      ): Promise<Result<T>> {
        let session: Session | null = null;
        const result = await toResult(ctx?.requestId ?? "unknown", async () => {
          const call = parseInput(CallContext, ctx);
          session = openSession(env.DB, start(call));
          opened?.(session.db);
          return operation(definition.scope(session.db, call, env, execution));
        });
        const bookmark = (session as Session | null)?.bookmark();
        return bookmark ? { ...result, bookmark } : result;
      }
      return {
        /** A read: at a replica at least as fresh as the caller's bookmark, or at any one without. */
        read<T>(ctx: CallContext, operation: (scope: S) => Promise<T>): Promise<Result<T>> {
          return run(
            ctx,
            (call) => call.bookmarks?.[definition.service] ?? "first-unconstrained",
            operation,
          );
        },
        /**
         * At the primary, whatever the caller has seen, with no outbox to send: a read that a write
         * or a security check relies on (a session check, the followers a post fans out to), or a
         * write that produces no events (a sign-in).
         */
        atPrimary<T>(ctx: CallContext, operation: (scope: S) => Promise<T>): Promise<Result<T>> {
          return run(ctx, () => "first-primary", operation);
        },
        /**
         * A write reads what it decides on at the primary, where it writes. It may have put events
         * in the outbox: the ones it wrote, and only those, are sent once the answer is on its way
         * (a failed answer may have committed some too). Whatever a failed send leaves unsent, the
         * cron sends.
         */
        async write<T>(ctx: CallContext, operation: (scope: S) => Promise<T>): Promise<Result<T>> {
          let written: string[] = [];
          const result = await run(
            ctx,
            () => "first-primary",
            operation,
            (db) => {
              written = collectEnqueued(db);
            },
          );
          if (outbox && written.length > 0)
            execution.waitUntil(relay(env, { ids: written, traceparent: ctx?.traceparent }));
          return result;
        },
      };
    },
  };
}
