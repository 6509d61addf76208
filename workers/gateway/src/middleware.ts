import { AppError } from "@flock/kit";
import { verifyToken } from "@flock/kit/auth";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts the client's x-request-id when it is sane, or makes one; echoes it on every response. */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const given = c.req.header("x-request-id");
  const id = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
  c.set("requestId", id);
  await next();
  c.res.headers.set("x-request-id", id);
});

/**
 * Reads `Authorization: Bearer <jwt>` (or RealWorld's `Token <jwt>`). No header means signed out;
 * a header with a token that is not valid is a 401 even on public routes, so a client learns at once.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  c.set("userId", null);
  const header = c.req.header("authorization");
  if (header) {
    const match = /^(?:Bearer|Token)\s+(\S+)$/i.exec(header.trim());
    const claims = match?.[1]
      ? await verifyToken(match[1], {
          current: c.env.JWT_SECRET,
          previous: c.env.JWT_PREVIOUS_SECRET || undefined,
        })
      : null;
    if (!claims) throw new AppError("unauthorized", "The token is not valid or has expired.");
    c.set("userId", claims.sub);
  }
  await next();
});

/** Routes that need a signed-in user. */
export const signedIn = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("userId")) throw new AppError("unauthorized", "Sign in first.");
  await next();
});
