import { CallContext, type Result, type Service } from "@flock/contracts";
import { type Db, openSession, type Session, type SessionStart } from "./db";
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
  async function relay(env: E): Promise<void> {
    if (!outbox) return;
    // At the primary: the rows it reads are committed, so the session's bookmark covers them.
    const session = openSession(env.DB, "first-primary");
    await relayOutbox(session.db, outbox.table, outbox.inboxes(env), {
      bookmark: session.bookmark,
    });
  }
  return {
    relay,
    /** The read and write helpers of one entrypoint instance, over its env and execution context. */
    attach(env: E, execution: ExecutionContext) {
      /**
       * Runs an operation over a D1 session opened where `start` says, and answers its Result with
       * the bookmark the session reached (docs/decisions/0015-global-reads.md).
       */
      async function run<T>(
        ctx: CallContext,
        start: (call: CallContext) => SessionStart,
        operation: (scope: S) => Promise<T>,
      ): Promise<Result<T>> {
        let session: Session | null = null;
        const result = await toResult(ctx?.requestId ?? "unknown", async () => {
          const call = parseInput(CallContext, ctx);
          session = openSession(env.DB, start(call));
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
         * in the outbox: they are sent once the answer is on its way.
         */
        async write<T>(ctx: CallContext, operation: (scope: S) => Promise<T>): Promise<Result<T>> {
          const result = await run(ctx, () => "first-primary", operation);
          if (result.ok && outbox) execution.waitUntil(relay(env));
          return result;
        },
      };
    },
  };
}
