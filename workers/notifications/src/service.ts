import { WorkerEntrypoint } from "cloudflare:workers";
import type { CallContext, ListQuery, MarkReadInput, NotificationsRpc } from "@flock/contracts";
import { checkHealth, defineService, traceEntrypoint } from "@flock/kit";
import type { Env } from "./env";
import * as notifications from "./notifications";
import type { Scope } from "./scope";
import { livePush } from "./users";

// No outbox: the notifications service produces no events, so a write has nothing to send afterwards.
export const service = defineService<Env, Scope>({
  service: "notifications",
  scope: (db, ctx) => ({ db, ctx }),
});

/** The notifications service's RPC surface. Each method validates its call, runs domain logic, and reports a Result. */
export class NotificationsService extends WorkerEntrypoint<Env> implements NotificationsRpc {
  readonly #service = service.attach(this.env, this.ctx);

  list(ctx: CallContext, query: ListQuery) {
    return this.#service.read(ctx, (scope) => notifications.listNotifications(scope, query));
  }
  async markRead(ctx: CallContext, input: MarkReadInput) {
    const result = await this.#service.write(ctx, (scope) => notifications.markRead(scope, input));
    const reader = ctx.actorId;
    // The reader's other devices hear the new count; after the answer, and never failing it.
    if (result.ok && reader)
      this.ctx.waitUntil(
        livePush(this.env, ctx)([reader], {
          type: "unread",
          count: result.value.unreadCount,
        }).catch(() => undefined),
      );
    return result;
  }
  health() {
    return checkHealth("notifications", this.env.DB, { producer: false });
  }
}

// Each RPC method is a span of the caller's trace (kit/trace.ts).
traceEntrypoint(NotificationsService, "notifications");
