import { AuthResponse, LoginInput, RegisterInput } from "@flock/contracts";
import { createRoute } from "@hono/zod-openapi";
import { closeLive } from "../live";
import { signedIn } from "../middleware";
import { anyone, bearer, body, json, problems, router } from "../openapi";
import { limitSignInsTo } from "../ratelimit";
import { call, callContext } from "../rpc";
import { authResponse, currentSession, deviceOf, forgetSession } from "../session";

const tags = ["auth"];

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
        201: json(AuthResponse, "The new account and a token for its first session"),
        ...problems(400, 409, 422, 429),
      },
    }),
    async (c) => {
      const signIn = await call(
        c,
        "users",
        c.env.USERS.register(callContext(c), c.req.valid("json"), deviceOf(c)),
      );
      return c.json(await authResponse(c.env, signIn), 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/login",
      operationId: "login",
      tags,
      summary: "Sign in with a handle or email and a password, opening a new session",
      security: anyone,
      request: body(LoginInput),
      responses: {
        200: json(AuthResponse, "The account and a token for the new session"),
        ...problems(400, 401, 422, 429),
      },
    }),
    async (c) => {
      await limitSignInsTo(c, c.req.valid("json").login);
      const signIn = await call(
        c,
        "users",
        c.env.USERS.login(callContext(c), c.req.valid("json"), deviceOf(c)),
      );
      return c.json(await authResponse(c.env, signIn), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/logout",
      operationId: "logout",
      tags,
      summary: "End the session this request's token names: the token is refused from now on",
      security: bearer,
      middleware: [signedIn],
      responses: { 204: { description: "Signed out" }, ...problems(401, 429) },
    }),
    async (c) => {
      const { userId, sessionId } = currentSession(c);
      await call(c, "users", c.env.USERS.endSession(callContext(c), sessionId));
      forgetSession(userId, sessionId);
      await closeLive(c, { userId, sessionId });
      return c.body(null, 204);
    },
  );
