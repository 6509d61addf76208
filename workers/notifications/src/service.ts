import { WorkerEntrypoint } from "cloudflare:workers";
import {
  CallContext,
  type ListQuery,
  type MarkReadInput,
  type NotificationsRpc,
  type Result,
} from "@flock/contracts";
import { createDb, parseInput, toResult } from "@flock/kit";
import type { Env } from "./env";
import * as notifications from "./notifications";
import type { Scope } from "./scope";

/** The notifications service's RPC surface. Each method validates its call, runs domain logic, and reports a Result. */
export class NotificationsService extends WorkerEntrypoint<Env> implements NotificationsRpc {
  list(ctx: CallContext, query: ListQuery) {
    return this.#serve(ctx, (scope) => notifications.listNotifications(scope, query));
  }
  markRead(ctx: CallContext, input: MarkReadInput) {
    return this.#serve(ctx, (scope) => notifications.markRead(scope, input));
  }
  async health() {
    try {
      await this.env.DB.prepare("SELECT 1").first();
      return { service: "notifications", ok: true };
    } catch (error) {
      return { service: "notifications", ok: false, detail: String(error) };
    }
  }

  // One helper serves reads and writes alike: with no outbox, a write has nothing to send afterwards.
  #serve<T>(ctx: CallContext, operation: (scope: Scope) => Promise<T>): Promise<Result<T>> {
    return toResult(ctx?.requestId ?? "unknown", async () => {
      const call = parseInput(CallContext, ctx);
      return operation({ db: createDb(this.env.DB), ctx: call });
    });
  }
}
