import { AppError, describeError } from "@flock/kit";
import { normalizeLogin } from "@flock/kit/auth";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { clientAddress, isLoopback } from "./client-address";
import type { AppEnv } from "./env";

/**
 * The periods of the `[[ratelimits]]` in wrangler.toml, in seconds. The binding does not report its
 * period, and Retry-After needs it; tests/system/security.test.ts holds them equal.
 */
export const AUTH_PERIOD_SECONDS = 60;
export const SIGN_IN_PERIOD_SECONDS = 60;
export const WRITE_PERIOD_SECONDS = 60;

/** The methods that write: what rate limits and suspensions apply to. */
export const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** A 429: the client should wait `retryAfterSeconds` (sent as Retry-After) before trying again. */
export class RateLimited extends AppError {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", detail);
    this.name = "RateLimited";
  }
}

/** The headers an error response carries besides its body: Retry-After on a 429. */
export function errorHeaders(error: unknown): Record<string, string> {
  return error instanceof RateLimited ? { "Retry-After": String(error.retryAfterSeconds) } : {};
}

/**
 * Counts one request against a limiter. A limiter that fails lets the request through: a broken
 * counter must not take sign-in or posting down with it (the failure is logged).
 */
async function allowed(c: Context<AppEnv>, limiter: RateLimit, key: string): Promise<boolean> {
  try {
    return (await limiter.limit({ key })).success;
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        requestId: c.get("requestId"),
        message: "rate limiter failed; letting the request through",
        error: describeError(error),
      }),
    );
    return true;
  }
}

/**
 * Whether the limits leave a request alone: only one from this machine while LOCAL_RUN is "true",
 * which only local runs set (npm start, the test harnesses). A deployed worker limits loopback
 * like any address, whatever a request claims.
 */
function exempt(c: Context<AppEnv>): boolean {
  return c.env.LOCAL_RUN === "true" && isLoopback(c.req.header("cf-connecting-ip"));
}

/**
 * Sign-up and sign-in attempts: AUTH_LIMITER's budget per client address (see clientAddress). A
 * request without an address, which Cloudflare's edge never sends, shares one budget with all such.
 */
export const limitAuthAttempts = createMiddleware<AppEnv>(async (c, next) => {
  const address = clientAddress(c.req.header("cf-connecting-ip")) ?? "unknown";
  if (!exempt(c) && !(await allowed(c, c.env.AUTH_LIMITER, `ip:${address}`)))
    throw new RateLimited(
      `Too many sign-up or sign-in attempts from your network; try again in ${AUTH_PERIOD_SECONDS} seconds.`,
      AUTH_PERIOD_SECONDS,
    );
  await next();
});

/**
 * Sign-in attempts naming one account: SIGN_IN_LIMITER's budget per login (handle or email, as
 * normalizeLogin writes it), from whatever addresses they come. Called before the password is
 * checked, so an account over its budget answers 429 whether the password is right or wrong, and
 * whether the account exists or not: neither a guess nor the account's existence shows through.
 */
export async function limitSignInsTo(c: Context<AppEnv>, login: string): Promise<void> {
  if (!exempt(c) && !(await allowed(c, c.env.SIGN_IN_LIMITER, `login:${normalizeLogin(login)}`)))
    throw new RateLimited(
      `Too many sign-in attempts for this account; try again in ${SIGN_IN_PERIOD_SECONDS} seconds.`,
      SIGN_IN_PERIOD_SECONDS,
    );
}

/**
 * Mails asked for one address or account (a password reset by email, a verification resend by user
 * id): SIGN_IN_LIMITER's budget, counted apart from sign-ins so that neither can use the other's up.
 * Counted before the address is looked up, so a 429 says nothing about whether an account has it.
 */
export async function limitMailsTo(c: Context<AppEnv>, recipient: string): Promise<void> {
  if (!exempt(c) && !(await allowed(c, c.env.SIGN_IN_LIMITER, `mail:${recipient}`)))
    throw new RateLimited(
      `Too many mails asked for this address; try again in ${SIGN_IN_PERIOD_SECONDS} seconds.`,
      SIGN_IN_PERIOD_SECONDS,
    );
}

/**
 * Writes (POST, PUT, PATCH, DELETE) by a signed-in user: WRITE_LIMITER's budget per user, whatever
 * address they write from. Runs after authentication. Like the address limit, it leaves a local
 * run's requests from this machine alone, so local runs and test suites are never throttled.
 */
export const limitWrites = createMiddleware<AppEnv>(async (c, next) => {
  const userId = c.get("userId");
  if (
    userId &&
    WRITE_METHODS.has(c.req.method) &&
    !exempt(c) &&
    !(await allowed(c, c.env.WRITE_LIMITER, `user:${userId}`))
  )
    throw new RateLimited(
      `Too many changes in a short time; try again in ${WRITE_PERIOD_SECONDS} seconds.`,
      WRITE_PERIOD_SECONDS,
    );
  await next();
});
