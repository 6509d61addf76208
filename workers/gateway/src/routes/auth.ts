import { AuthResponse, LoginInput, RegisterInput, type User } from "@flock/contracts";
import { createRoute } from "@hono/zod-openapi";
import type { Env } from "../env";
import { anyone, body, json, problems, router } from "../openapi";
import { limitSignInsTo } from "../ratelimit";
import { call, callContext } from "../rpc";
import { issueSession } from "../session";

const tags = ["auth"];

async function withToken(user: User, env: Env) {
  return { user, token: await issueSession(env, user) };
}

export const auth = router()
  .openapi(
    createRoute({
      method: "post",
      path: "/register",
      operationId: "register",
      tags,
      summary: "Create an account",
      security: anyone,
      request: body(RegisterInput),
      responses: {
        201: json(AuthResponse, "The new account and a token"),
        ...problems(400, 409, 422, 429),
      },
    }),
    async (c) => {
      const user = await call(
        c,
        "users",
        c.env.USERS.register(callContext(c), c.req.valid("json")),
      );
      return c.json(await withToken(user, c.env), 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/login",
      operationId: "login",
      tags,
      summary: "Sign in with a handle or email and a password",
      security: anyone,
      request: body(LoginInput),
      responses: {
        200: json(AuthResponse, "The account and a token"),
        ...problems(400, 401, 422, 429),
      },
    }),
    async (c) => {
      await limitSignInsTo(c, c.req.valid("json").login);
      const user = await call(c, "users", c.env.USERS.login(callContext(c), c.req.valid("json")));
      return c.json(await withToken(user, c.env), 200);
    },
  );
