import type { CallContext, Result } from "@flock/contracts";
import { awaitService, DEFAULT_DEADLINE_MS } from "@flock/kit";
import type { Context } from "hono";
import { noteBookmark } from "./bookmarks";
import type { AppEnv, Env } from "./env";

/**
 * The context passed with an RPC call: the request id, the authenticated user, if any, when the
 * gateway stops waiting for a call made now, so the service can budget its own calls to others, and
 * the request's route span, the parent of the work the call does.
 */
export function callContext(c: Context<AppEnv>): CallContext {
  const sessionId = c.get("sessionId");
  const standing = c.get("standing");
  const bookmarks = c.get("bookmarks");
  return {
    requestId: c.get("requestId"),
    actorId: c.get("userId"),
    ...(sessionId ? { sessionId } : {}),
    ...(standing ? { standing } : {}),
    ...(bookmarks && Object.keys(bookmarks).length > 0 ? { bookmarks: { ...bookmarks } } : {}),
    deadline: Date.now() + deadlineMs(c.env),
    traceparent: c.get("traceparent"),
  };
}

/** RPC_DEADLINE_MS as a number; the default when it is missing or not a positive number. */
export function deadlineMs(env: Pick<Env, "RPC_DEADLINE_MS">): number {
  const ms = Number(env.RPC_DEADLINE_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_DEADLINE_MS;
}

/** The answer of a call, its bookmark noted for the calls after it and the response. */
async function noted<T>(
  c: Context<AppEnv>,
  service: string,
  pending: Promise<Result<T>>,
): Promise<Result<T>> {
  const result = await pending;
  noteBookmark(c, service, result);
  return result;
}

/**
 * Awaits an RPC call and returns its value. A service's own failure keeps its code (404, 409 ...);
 * a service that cannot be reached or misses the deadline (RPC_DEADLINE_MS) is a 503.
 */
export function call<T>(
  c: Context<AppEnv>,
  service: string,
  pending: Promise<Result<T>>,
): Promise<T> {
  return awaitService(service, () => noted(c, service, pending), {
    requestId: c.get("requestId"),
    deadlineMs: deadlineMs(c.env),
    idempotent: false,
  });
}

/**
 * `call` for an RPC method that only reads, so asking twice is harmless: when the binding itself
 * fails (it throws, as a restarting service may), the call is made once more within the same
 * deadline. A service's own failure is never retried, and neither is a missed deadline.
 */
export function read<T>(
  c: Context<AppEnv>,
  service: string,
  attempt: () => Promise<Result<T>>,
): Promise<T> {
  return awaitService(service, () => noted(c, service, attempt()), {
    requestId: c.get("requestId"),
    deadlineMs: deadlineMs(c.env),
    idempotent: true,
  });
}
