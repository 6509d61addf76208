import type { SignIn, UpdateAccountInput } from "@flock/contracts";
import { AppError } from "@flock/kit";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../env";
import { closeLive } from "../../live";
import { signedIn } from "../../middleware";
import { limitAuthAttempts, limitSignInsTo } from "../../ratelimit";
import { call, callContext, read } from "../../rpc";
import {
  currentSession,
  deviceOf,
  forgetSessionsOf,
  issueSession,
  presentedToken,
} from "../../session";
import { toUser } from "../mapping";
import { jsonBody, LoginBody, RegisterBody, UpdateUserBody } from "../validation";

async function withNewToken(c: Context<AppEnv>, { user, sessionId, standing }: SignIn) {
  return { user: toUser(user, await issueSession(c.env, user, sessionId, standing)) };
}

/** Registration, sign-in and the signed-in user's own account. */
export const users = new Hono<AppEnv>()
  .post("/users", limitAuthAttempts, jsonBody(RegisterBody), async (c) => {
    const { username, email, password } = c.req.valid("json").user;
    const signIn = await call(
      c,
      "users",
      c.env.USERS.register(callContext(c), { handle: username, email, password }, deviceOf(c)),
    );
    return c.json(await withNewToken(c, signIn), 201);
  })
  .post("/users/login", limitAuthAttempts, jsonBody(LoginBody), async (c) => {
    const { email, password } = c.req.valid("json").user;
    await limitSignInsTo(c, email);
    try {
      const signIn = await call(
        c,
        "users",
        c.env.USERS.login(callContext(c), { login: email, password }, deviceOf(c)),
      );
      return c.json(await withNewToken(c, signIn), 200);
    } catch (error) {
      // A wrong email and a wrong password look the same, as they do on /v1.
      if (error instanceof AppError && error.code === "unauthorized")
        throw new AppError("unauthorized", error.detail, [
          { path: "credentials", message: "invalid" },
        ]);
      throw error;
    }
  })
  .get("/user", signedIn, async (c) => {
    const user = await read(c, "users", () => c.env.USERS.getMe(callContext(c)));
    // The token this request was authenticated with: the middleware has verified it already.
    const token = presentedToken(c.req.header("authorization")) ?? "";
    return c.json({ user: toUser(user, token) }, 200);
  })
  .put("/user", signedIn, jsonBody(UpdateUserBody), async (c) => {
    const { username, email, password, bio, image } = c.req.valid("json").user;
    const changes: UpdateAccountInput = {
      handle: username,
      email,
      password,
      bio,
      avatarUrl: image,
    };
    if (Object.values(changes).every((value) => value === undefined))
      throw new AppError("validation", "Give at least one field to change.", [
        { path: "user", message: "has nothing to change" },
      ]);
    const { userId, sessionId, standing } = currentSession(c);
    const user = await call(c, "users", c.env.USERS.updateAccount(callContext(c), changes));
    // RealWorld's spec asks no current password here; a new password still ends the other sessions.
    if (password !== undefined) {
      forgetSessionsOf(userId, sessionId);
      await closeLive(c, { userId, except: sessionId });
    }
    // The username may have changed, and the token names it: a fresh one, for the same session.
    return c.json(await withNewToken(c, { user, sessionId, standing }), 200);
  });
