import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";

/**
 * The JWT secret .dev.vars.example gives every clone. It is public, so anyone could sign tokens
 * with it: only a local run may use it (tests/system/config.test.ts holds the two equal).
 */
export const EXAMPLE_JWT_SECRET = "local-development-secret-change-me-0123456789";

/**
 * Refuses to serve outside a local run while a JWT secret is the public example: every request is a
 * 500, with the reason in the log, rather than sessions anyone can forge.
 */
export const refuseExampleSecret = createMiddleware<AppEnv>(async (c, next) => {
  const secrets = [c.env.JWT_SECRET, c.env.JWT_PREVIOUS_SECRET];
  if (c.env.LOCAL_RUN !== "true" && secrets.includes(EXAMPLE_JWT_SECRET))
    throw new Error(
      "JWT_SECRET or JWT_PREVIOUS_SECRET is the public example secret of .dev.vars.example: put a secret of your own (docs/DEPLOY.md).",
    );
  await next();
});
