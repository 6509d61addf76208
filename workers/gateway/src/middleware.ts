import { AppError } from "@flock/kit";
import type { Context } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./env";
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
 * Sets the signed-in user and session, if any, from the request's token: one that is not valid, or
 * whose session has ended, is a 401 (see tokenSession and assertLive).
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const token = await tokenSession(c.env, c.req.header("authorization"));
  if (token) await assertLive(c, token);
  c.set("userId", token?.userId ?? null);
  c.set("sessionId", token?.sessionId ?? null);
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
  allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
  allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
  exposeHeaders: ["X-Request-Id", "Retry-After"],
  maxAge: 600,
});
