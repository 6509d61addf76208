import type { CallContext, Result } from "@flock/contracts";
import { AppError, unwrap } from "@flock/kit";
import type { Context } from "hono";
import type { AppEnv } from "./env";

const DEADLINE_MS = 10_000;

/** The context passed with every RPC call: the request id and the authenticated user, if any. */
export function callContext(c: Context<AppEnv>): CallContext {
  return { requestId: c.get("requestId"), actorId: c.get("userId") };
}

/**
 * Awaits an RPC call and returns its value. A service's own failure keeps its code (404, 409 ...);
 * a service that cannot be reached or misses the deadline is a 503.
 */
export async function call<T>(service: string, pending: Promise<Result<T>>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${service} missed its ${DEADLINE_MS} ms deadline`)),
      DEADLINE_MS,
    );
  });
  let result: Result<T>;
  try {
    result = await Promise.race([pending, deadline]);
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        message: "service call failed",
        service,
        error: String(error),
      }),
    );
    throw new AppError("unavailable", `The ${service} service is unavailable; try again shortly.`);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
  return unwrap(result);
}
