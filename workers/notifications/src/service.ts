import { WorkerEntrypoint } from "cloudflare:workers";
import type {
  CallContext,
  ListQuery,
  MarkReadInput,
  NotificationsRpc,
  Result,
} from "@flock/contracts";
import { checkHealth, parseInput, serve, withFaults } from "@flock/kit";
import { bindings } from "./bindings";
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
  health() {
    return checkHealth("notifications", this.env.DB);
  }

  // One helper serves reads and writes alike: with no outbox, a write has nothing to send afterwards.
  /** The env with any injected faults (a no-op unless a FAULTS var is set; see packages/kit/src/faults.ts). */
  get #env(): Env {
    return withFaults(this.env, bindings);
  }

  #serve<T>(ctx: CallContext, operation: (scope: Scope) => Promise<T>): Promise<Result<T>> {
    return serve({
      service: "notifications",
      env: this.#env,
      ctx,
      run: (db, call) => operation({ db, ctx: call }),
    });
  }
}
