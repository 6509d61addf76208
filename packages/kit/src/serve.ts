import { CallContext, type Result, type Service } from "@flock/contracts";
import { createDb, type Db } from "./db";
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
 * the service's database, runs the operation and reports its outcome as a Result; `write` does the
 * same and then sends the outbox once the answer is on its way; `relay` sends the outbox.
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
   * RELAY_GRACE_MS. A page at a time, while pages go out whole, up to RELAY_PAGES of them.
   */
  async function relay(env: E, selection: RelaySelection = { settledMs: RELAY_GRACE_MS }) {
    if (!outbox) return;
    const db = createDb(env.DB);
    const inboxes = outbox.inboxes(env);
    for (let page = 0; page < RELAY_PAGES; page++) {
      const { sent, failed } = await relayOutbox(db, outbox.table, inboxes, selection);
      if (failed > 0 || sent < RELAY_PAGE) return;
    }
  }
  return {
    relay,
    /** The read and write helpers of one entrypoint instance, over its env and execution context. */
    attach(env: E, execution: ExecutionContext) {
      function run<T>(db: Db, ctx: CallContext, operation: (scope: S) => Promise<T>) {
        return toResult(ctx?.requestId ?? "unknown", async () => {
          const call = parseInput(CallContext, ctx);
          return operation(definition.scope(db, call, env, execution));
        });
      }
      return {
        read: <T>(ctx: CallContext, operation: (scope: S) => Promise<T>): Promise<Result<T>> =>
          run(createDb(env.DB), ctx, operation),
        /**
         * A write may have put events in the outbox: the ones it wrote, and only those, are sent once
         * the answer is on its way (a failed answer may have committed some too). Whatever a failed
         * send leaves unsent, the cron sends.
         */
        async write<T>(ctx: CallContext, operation: (scope: S) => Promise<T>): Promise<Result<T>> {
          const db = createDb(env.DB);
          const written = collectEnqueued(db);
          const result = await run(db, ctx, operation);
          if (outbox && written.length > 0) execution.waitUntil(relay(env, { ids: written }));
          return result;
        },
      };
    },
  };
}
