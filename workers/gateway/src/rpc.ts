import type { CallContext, Result } from "@flock/contracts";
import { AppError, unwrap } from "@flock/kit";
import type { Context } from "hono";
import { withinDeadline } from "./deadline";
import type { AppEnv, Env } from "./env";

const DEFAULT_DEADLINE_MS = 10_000;

/** The context passed with every RPC call: the request id and the authenticated user, if any. */
export function callContext(c: Context<AppEnv>): CallContext {
  return { requestId: c.get("requestId"), actorId: c.get("userId") };
}

/** RPC_DEADLINE_MS as a number; the default when it is missing or not a positive number. */
export function deadlineMs(env: Pick<Env, "RPC_DEADLINE_MS">): number {
  const ms = Number(env.RPC_DEADLINE_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_DEADLINE_MS;
}

async function settle<T>(
  c: Context<AppEnv>,
  service: string,
  attempt: () => Promise<Result<T>>,
  retries: number,
): Promise<T> {
  let result: Result<T>;
  try {
    result = await withinDeadline(attempt, {
      deadlineMs: deadlineMs(c.env),
      retries,
      onFailure: (error, tries) =>
        console.error(
          JSON.stringify({
            level: "error",
            requestId: c.get("requestId"),
            message: "service call failed",
            service,
            attempt: tries,
            error: String(error),
          }),
        ),
    });
  } catch {
    throw new AppError("unavailable", `The ${service} service is unavailable; try again shortly.`);
  }
  // A service's own failure (404, 409 ...) is an answer, not an outage: it keeps its code.
  return unwrap(result);
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
  return settle(c, service, () => pending, 0);
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
  return settle(c, service, attempt, 1);
}
