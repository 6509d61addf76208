// Proving an address by mail: password reset and email verification (DESIGN.md, "Accounts and
// sessions"). Mounted beside the other /v1/auth routes, so the per-address limit covers them too.
import {
  PasswordResetAccepted,
  PasswordResetConfirm,
  PasswordResetRequest,
  VerifyEmailInput,
} from "@flock/contracts";
import { createRoute } from "@hono/zod-openapi";
import { closeLive } from "../live";
import { signedIn } from "../middleware";
import { anyone, bearer, body, json, problems, router } from "../openapi";
import { limitMailsTo } from "../ratelimit";
import { call, callContext } from "../rpc";
import { currentSession, forgetSessionsOf } from "../session";

const tags = ["auth"];

// One answer for every address, known or not: the same body, the same status.
const ACCEPTED: PasswordResetAccepted = {
  status: "accepted",
  detail: "If an account has this address, a link to reset its password is on its way.",
};

export const recovery = router()
  .openapi(
    createRoute({
      method: "post",
      path: "/password-reset",
      operationId: "requestPasswordReset",
      tags,
      summary:
        "Mail a single-use link, valid an hour, to reset the password of the account with this email",
      description:
        "Answers 202 with the same body whether or not an account has the address. A new request " +
        "replaces the link of an earlier one.",
      security: anyone,
      request: body(PasswordResetRequest),
      responses: {
        202: json(
          PasswordResetAccepted,
          "Asked for; a link is mailed if an account has the address",
        ),
        ...problems(400, 422, 429),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      await limitMailsTo(c, input.email);
      await call(c, "users", c.env.USERS.requestPasswordReset(callContext(c), input));
      return c.json(ACCEPTED, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/password-reset/confirm",
      operationId: "confirmPasswordReset",
      tags,
      summary: "Set a new password with the mailed reset token; every session of the account ends",
      description:
        "A token that was used, has expired or was replaced by a newer one is a 400 problem. " +
        "Sign in with the new password afterwards.",
      security: anyone,
      request: body(PasswordResetConfirm),
      responses: { 204: { description: "The password is set" }, ...problems(400, 422, 429) },
    }),
    async (c) => {
      const { userId } = await call(
        c,
        "users",
        c.env.USERS.confirmPasswordReset(callContext(c), c.req.valid("json")),
      );
      forgetSessionsOf(userId);
      await closeLive(c, { userId });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/verify-email",
      operationId: "verifyEmail",
      tags,
      summary: "Prove your email with the token of the mailed link",
      description:
        "A token that was used, has expired, was replaced, or was mailed to an address the account " +
        "no longer has is a 400 problem.",
      security: anyone,
      request: body(VerifyEmailInput),
      responses: { 204: { description: "The email is verified" }, ...problems(400, 422, 429) },
    }),
    async (c) => {
      await call(c, "users", c.env.USERS.verifyEmail(callContext(c), c.req.valid("json")));
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/verify-email/resend",
      operationId: "resendVerification",
      tags,
      summary: "Mail a new verification link to your current email, unless it is verified already",
      security: bearer,
      middleware: [signedIn],
      responses: { 204: { description: "A link is on its way" }, ...problems(401, 429) },
    }),
    async (c) => {
      const { userId } = currentSession(c);
      await limitMailsTo(c, `user:${userId}`);
      await call(c, "users", c.env.USERS.resendVerification(callContext(c)));
      return c.body(null, 204);
    },
  );
