import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";
import { EXAMPLE_JWT_SECRET } from "./example-secret";

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
