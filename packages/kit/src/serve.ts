import { CallContext, type Result, type Service } from "@flock/contracts";
import { createDb, type Db } from "./db";
import { toResult } from "./errors";
import { type Inboxes, type OutboxTable, relayOutbox } from "./outbox";
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
  async function relay(env: E): Promise<void> {
    if (outbox) await relayOutbox(createDb(env.DB), outbox.table, outbox.inboxes(env));
  }
  return {
    relay,
    /** The read and write helpers of one entrypoint instance, over its env and execution context. */
    attach(env: E, execution: ExecutionContext) {
      function read<T>(ctx: CallContext, operation: (scope: S) => Promise<T>): Promise<Result<T>> {
        return toResult(ctx?.requestId ?? "unknown", async () => {
          const call = parseInput(CallContext, ctx);
          return operation(definition.scope(createDb(env.DB), call, env, execution));
        });
      }
      return {
        read,
        /** A write may have put events in the outbox: they are sent once the answer is on its way. */
        async write<T>(ctx: CallContext, operation: (scope: S) => Promise<T>): Promise<Result<T>> {
          const result = await read(ctx, operation);
          if (result.ok && outbox) execution.waitUntil(relay(env));
          return result;
        },
      };
    },
  };
}
