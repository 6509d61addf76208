import { WorkerEntrypoint } from "cloudflare:workers";
import {
  CallContext,
  type EndedSessions,
  type Health,
  Id,
  LiveMessage,
  type LiveRpc,
  type Result,
  ticketUser,
} from "@flock/contracts";
import { AppError, actor, parseInput, toResult, traceEntrypoint } from "@flock/kit";
import { z } from "zod";
import type { Env } from "./env";

const UserIds = z.array(Id).max(1000);
const Ended = z.union([
  z.object({ userId: Id, sessionId: Id }),
  z.object({ userId: Id, except: Id.optional() }),
]);

/**
 * The live service's RPC surface. It has no database, so it does not go through defineService, but
 * keeps its conventions: every method checks its call context and answers a Result.
 */
export class LiveService extends WorkerEntrypoint<Env> implements LiveRpc {
  /** The upgrade of GET /v1/live, forwarded whole by the gateway. */
  override fetch(request: Request): Promise<Response> {
    return upgrade(request, this.env);
  }

  issueTicket(ctx: CallContext) {
    return run(ctx, (call) => {
      const userId = actor({ ctx: call });
      if (!call.sessionId) throw new AppError("unauthorized", "A ticket needs a session.");
      return this.env.USER_LIVE.getByName(userId).issueTicket(userId, call.sessionId);
    });
  }

  push(ctx: CallContext, userIds: Id[], message: LiveMessage) {
    return run(ctx, async (call) => {
      const text = JSON.stringify(parseInput(LiveMessage, message));
      const ids = [...new Set(parseInput(UserIds, userIds))];
      const reached = await Promise.all(
        ids.map((id) => this.env.USER_LIVE.getByName(id).push(text, call.traceparent)),
      );
      return { connected: ids.filter((_, index) => (reached[index] ?? 0) > 0) };
    });
  }

  endSessions(ctx: CallContext, ended: EndedSessions) {
    return run(ctx, async () => {
      const which = parseInput(Ended, ended);
      return { closed: await this.env.USER_LIVE.getByName(which.userId).endSessions(which) };
    });
  }
  /** It has no database: answering at all is its health. */
  async health(): Promise<Health> {
    return { service: "live", database: "none" };
  }
}

// Each RPC method is a span of the caller's trace (kit/trace.ts); a push is a push span.
traceEntrypoint(LiveService, "live", { push: "push" });

/**
 * Routes an upgrade to the user its ticket names, whose object redeems the ticket and accepts the
 * socket. Anything else is refused with a bare status; the gateway words the refusal.
 */
export async function upgrade(request: Request, env: Env): Promise<Response> {
  const userId = ticketUser(new URL(request.url).searchParams.get("ticket"));
  if (!userId) return new Response(null, { status: 401 });
  return env.USER_LIVE.getByName(userId).fetch(request);
}

function run<T>(
  ctx: CallContext,
  operation: (call: CallContext) => Promise<T>,
): Promise<Result<T>> {
  return toResult(ctx?.requestId ?? "unknown", () => operation(parseInput(CallContext, ctx)));
}
