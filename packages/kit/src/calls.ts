import type { CallContext, Event, Result } from "@flock/contracts";
import type { z } from "zod";
import { AppError, describeError, unwrap } from "./errors";

/** How long a call to another worker may take when nothing sets a tighter deadline (milliseconds). */
export const DEFAULT_DEADLINE_MS = 10_000;

/**
 * The part of what is left of its caller's deadline that a service grants a call it makes to
 * another worker; it keeps the rest for its own work and its answer, so that it answers in time
 * even when the other worker does not.
 */
const DOWNSTREAM_SHARE = 0.5;

/** Thrown when an operation has not settled within its deadline. */
export class DeadlineMissed extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no answer within ${deadlineMs} ms`);
    this.name = "DeadlineMissed";
  }
}

/**
 * Runs `attempt` and gives up with DeadlineMissed after `deadlineMs`. When an attempt fails, it is
 * started again up to `retries` times, all within the same deadline: a retry never makes a caller
 * wait longer than a single try would. `onFailure` hears of every failed attempt.
 */
export async function withinDeadline<T>(
  attempt: () => Promise<T>,
  options: {
    deadlineMs: number;
    retries?: number;
    onFailure?: (error: unknown, attempt: number) => void;
  },
): Promise<T> {
  const { deadlineMs, retries = 0, onFailure } = options;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineMissed(deadlineMs)), deadlineMs);
  });
  try {
    for (let tries = 1; ; tries++) {
      try {
        // attempt() runs inside the try, so one that throws before returning a promise counts too.
        return await Promise.race([attempt(), deadline]);
      } catch (error) {
        onFailure?.(error, tries);
        if (error instanceof DeadlineMissed || tries > retries) throw error;
      }
    }
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

export type ServiceCallOptions<T> = {
  requestId: string;
  deadlineMs: number;
  /**
   * The method only reads, so asking twice is harmless: when the binding itself fails (it throws, as
   * a restarting service may), the call is made once more within the same deadline. A service's own
   * failure is never retried, and neither is a missed deadline.
   */
  idempotent: boolean;
  /** The shape the answer must have; anything else is the other worker failing, not an answer. */
  schema?: z.ZodType<T>;
};

function unavailable(service: string): AppError {
  return new AppError("unavailable", `The ${service} service is unavailable; try again shortly.`);
}

/**
 * Awaits an RPC call to another worker and returns its value. The other service's own failure keeps
 * its code (404, 409 ...); a worker that cannot be reached, misses the deadline or answers in a shape
 * it should not is `unavailable` (a 503), with each failed attempt in the logs.
 */
export async function awaitService<T>(
  service: string,
  attempt: () => Promise<Result<T>>,
  options: ServiceCallOptions<T>,
): Promise<T> {
  const log = (message: string, fields: Record<string, unknown>) =>
    console.error(
      JSON.stringify({ level: "error", requestId: options.requestId, message, service, ...fields }),
    );
  let result: Result<T>;
  try {
    result = await withinDeadline(attempt, {
      deadlineMs: options.deadlineMs,
      retries: options.idempotent ? 1 : 0,
      onFailure: (error, tries) =>
        log("service call failed", { attempt: tries, error: describeError(error) }),
    });
  } catch {
    throw unavailable(service);
  }
  const value = unwrap(result);
  if (!options.schema) return value;
  const parsed = options.schema.safeParse(value);
  if (!parsed.success) {
    log("service answered in an unexpected shape", { issues: parsed.error.issues.slice(0, 5) });
    throw unavailable(service);
  }
  return parsed.data;
}

/** How long a call made on behalf of `ctx` may wait: its share of what is left of the caller's deadline. */
export function budgetMs(ctx: CallContext, now = Date.now()): number {
  if (ctx.deadline === undefined) return DEFAULT_DEADLINE_MS;
  return Math.min(DEFAULT_DEADLINE_MS, Math.floor((ctx.deadline - now) * DOWNSTREAM_SHARE));
}

/**
 * Calls another worker's RPC method for the call `ctx` describes: within its share of the caller's
 * deadline (or the default one, in a queue consumer or a cron run), which it passes on in the
 * context, so the worker it calls budgets its own calls the same way.
 */
export function callService<T>(
  ctx: CallContext,
  service: string,
  method: (ctx: CallContext) => Promise<Result<T>>,
  options: { idempotent: boolean; schema?: z.ZodType<T> },
): Promise<T> {
  const deadlineMs = budgetMs(ctx);
  // Too little time left to hear an answer: do not start a call that can only be abandoned.
  if (deadlineMs <= 0) return Promise.reject(unavailable(service));
  const deadline = Date.now() + deadlineMs;
  return awaitService(service, () => method({ ...ctx, deadline }), {
    ...options,
    requestId: ctx.requestId,
    deadlineMs,
  });
}

/**
 * The context of the calls a queue consumer makes while applying an event: no actor, the event's
 * request id, the producer's bookmark, so that reading the producer back sees at least the write
 * that made the event (decision 0015), and the event's traceparent (the consumer hands its handler
 * the event with its own event span there), so the calls are part of the event's trace.
 */
export function eventContext(
  event: Pick<Event, "requestId" | "producer" | "bookmark" | "traceparent">,
): CallContext {
  return {
    requestId: event.requestId,
    actorId: null,
    ...(event.bookmark ? { bookmarks: { [event.producer]: event.bookmark } } : {}),
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
  };
}
