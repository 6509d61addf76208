import { AppError, endSpan, formatTraceparent, startSpan } from "@flock/kit";
import type { Context } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "./env";
import { WRITE_METHODS } from "./ratelimit";
import { assertLive, tokenSession } from "./session";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts the client's x-request-id when it is sane, or makes one; echoes it on every response. */
export const requestIds = requestId({
  limitLength: 128,
  // hono keeps an id made of letters, digits, '_', '-' and '=' and asks this for any other: one
  // with '.' or ':' (a trace id such as `web:1.2`) is sane too, and kept as well.
  generator: (c) => {
    const given = c.req.header("x-request-id");
    return given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
  },
});

/**
 * The route pattern that answered, never the raw path (ids would make every post a metric of its
 * own): the last handler matched, or the middleware pattern that answered before any handler did.
 */
function routePattern(c: Context<AppEnv>): string {
  const routes = matchedRoutes(c);
  const handler = routes.findLast((route) => route.method !== "ALL") ?? routes.at(-1);
  return handler?.path ?? "unmatched";
}

/**
 * Opens the request's route span: a child of the client's `traceparent` when it sends a valid one,
 * else the root of a new trace (garbage is ignored, never refused). Every RPC call of the request is
 * its child (callContext), and the answer carries it back as `traceparent`. One span line per
 * request, with its status, once the answer is made.
 */
export const traceRequests = createMiddleware<AppEnv>(async (c, next) => {
  const span = startSpan({
    parent: c.req.header("traceparent"),
    name: "",
    service: "gateway",
    kind: "route",
    requestId: c.get("requestId"),
    metrics: c.env.METRICS,
  });
  const traceparent = formatTraceparent(span);
  c.set("traceparent", traceparent);
  // Set before the answer is made, as the request id is, so every answer carries it, errors too.
  c.header("traceparent", traceparent);
  try {
    await next();
  } finally {
    const status = c.res.status;
    span.name = `${c.req.method} ${routePattern(c)}`;
    endSpan(span, status >= 500 ? "error" : "ok", { status });
  }
});

/**
 * Sets the signed-in user and session, if any, from the request's token: one that is not valid, or
 * whose session has ended, is a 401 (see tokenSession and assertLive).
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const token = await tokenSession(c.env, c.req.header("authorization"));
  const standing = token ? await assertLive(c, token) : null;
  c.set("userId", token?.userId ?? null);
  c.set("sessionId", token?.sessionId ?? null);
  c.set("standing", standing);
  await next();
});

/** Routes for moderators only: anyone else signed in is refused (403), as the owning service does too. */
export const moderatorsOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("userId")) throw new AppError("unauthorized", "Sign in first.");
  if (c.get("standing")?.role !== "moderator")
    throw new AppError("forbidden", "Only moderators can do this.");
  await next();
});

/**
 * The writes a suspended account may still make: signing in and out, ending its own sessions and
 * marking its notifications read. Nothing any other account sees.
 */
const ALLOWED_WHILE_SUSPENDED = [
  /^\/v1\/auth\//,
  /^\/v1\/me\/sessions(?:\/[^/]*)?$/,
  /^\/v1\/notifications\/read$/,
  /^\/api\/users\/login$/,
];

/**
 * Refuses (403) every other write by a suspended account, on /v1 and /api alike. The session check
 * may be up to SESSION_RECHECK_MS old; the services that own the writes refuse them too, from their
 * copies of the suspension, so a write that races it past here is still not stored.
 */
export const refuseSuspended = createMiddleware<AppEnv>(async (c, next) => {
  if (
    c.get("standing")?.suspended &&
    WRITE_METHODS.has(c.req.method) &&
    !ALLOWED_WHILE_SUSPENDED.some((allowed) => allowed.test(c.req.path))
  )
    throw new AppError(
      "forbidden",
      "This account is suspended: it can sign in and read, but not write.",
    );
  await next();
});

/** Routes that need a signed-in user. */
export const signedIn = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("userId")) throw new AppError("unauthorized", "Sign in first.");
  await next();
});

/**
 * The Access-Control-Allow-Origin for a request's origin under a CORS_ORIGINS setting: "*" allows
 * any origin, else it is a comma-separated list and an origin not on it gets no CORS header (null).
 */
export function allowedOrigin(origin: string, setting: string): string | null {
  if (setting.trim() === "*") return "*";
  return setting.split(",").some((entry) => entry.trim() === origin) ? origin : null;
}

/** CORS for the API and the web app: bearer tokens, never cookies, so no credentials. */
export const corsPolicy = cors({
  origin: (origin, c: Context<AppEnv>) => allowedOrigin(origin, c.env.CORS_ORIGINS),
  allowHeaders: [
    "Authorization",
    "Content-Type",
    "Flock-Bookmark",
    "Idempotency-Key",
    "X-Request-Id",
    "traceparent",
  ],
  allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
  exposeHeaders: ["X-Request-Id", "Retry-After", "Flock-Bookmark", "traceparent"],
  maxAge: 600,
});
