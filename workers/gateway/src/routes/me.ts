import {
  DeleteMeInput,
  FriendRequest,
  FriendRequestPage,
  FriendRequestQuery,
  IdParam,
  ListQuery,
  SessionList,
  type UpdateMeInput,
  UpdateMeRequest,
  User,
} from "@flock/contracts";
import { AppError } from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { closeLive } from "../live";
import { signedIn } from "../middleware";
import { bearer, body, json, problems, router } from "../openapi";
import { call, callContext, read } from "../rpc";
import { currentSession, forgetSession, forgetSessionsOf } from "../session";

const tags = ["me"];

/**
 * The avatar a PATCH asks for, as the users service keeps it: an upload of yours, attached by the
 * media service (which refuses another's), becomes its hosted URL; null removes the avatar. The
 * user.updated event that follows confirms the attachment and releases the avatar it replaced.
 */
async function avatarChange(
  c: Context<AppEnv>,
  mediaId: string | null | undefined,
): Promise<Pick<UpdateMeInput, "avatarUrl">> {
  if (mediaId === undefined) return {};
  if (mediaId === null) return { avatarUrl: null };
  const { userId } = currentSession(c);
  const [claimed] = await call(
    c,
    "media",
    c.env.MEDIA.claim(callContext(c), { kind: "avatar", id: userId }, [mediaId]),
  );
  if (!claimed) throw new AppError("not_found", "No such upload.");
  return { avatarUrl: claimed.url };
}
const middleware = [signedIn];

export const me = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      operationId: "getMe",
      tags,
      summary: "Your own account",
      security: bearer,
      middleware,
      responses: { 200: json(User, "Your account"), ...problems(401, 404) },
    }),
    async (c) => c.json(await read(c, "users", () => c.env.USERS.getMe(callContext(c))), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/",
      operationId: "updateMe",
      tags,
      summary: "Change your account; a new email or password needs currentPassword",
      description:
        "Changing `email` or `password` needs `currentPassword` (403 without it or with a wrong one). " +
        "A new password ends every other session of yours; this one stays signed in.",
      security: bearer,
      middleware,
      request: body(UpdateMeRequest),
      responses: {
        200: json(User, "Your changed account"),
        ...problems(400, 401, 403, 404, 409, 422, 429, 503),
      },
    }),
    async (c) => {
      const { avatarMediaId, ...changes } = c.req.valid("json");
      const input: UpdateMeInput = { ...changes, ...(await avatarChange(c, avatarMediaId)) };
      const user = await call(c, "users", c.env.USERS.updateMe(callContext(c), input));
      if (input.password !== undefined) {
        const except = currentSession(c).sessionId;
        forgetSessionsOf(user.id, except);
        await closeLive(c, { userId: user.id, except });
      }
      return c.json(user, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/",
      operationId: "deleteMe",
      tags,
      summary: "Delete your account; your posts, comments and notifications follow within seconds",
      description:
        "Needs your `password` (403 without it or with a wrong one). Every session of yours ends with the account.",
      security: bearer,
      middleware,
      request: body(DeleteMeInput, false),
      responses: { 204: { description: "Deleted" }, ...problems(400, 401, 403, 404, 422, 429) },
    }),
    async (c) => {
      await call(c, "users", c.env.USERS.deleteMe(callContext(c), c.req.valid("json")));
      const { userId } = currentSession(c);
      forgetSessionsOf(userId);
      await closeLive(c, { userId });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/sessions",
      operationId: "listSessions",
      tags,
      summary: "Your signed-in sessions, newest first, this one marked current",
      security: bearer,
      middleware,
      responses: { 200: json(SessionList, "Your live sessions"), ...problems(401) },
    }),
    async (c) =>
      c.json(await read(c, "users", () => c.env.USERS.listSessions(callContext(c))), 200),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/sessions",
      operationId: "endOtherSessions",
      tags,
      summary: "Sign out everywhere else: end every session of yours but this one",
      security: bearer,
      middleware,
      responses: { 204: { description: "The other sessions ended" }, ...problems(401, 429) },
    }),
    async (c) => {
      const { userId, sessionId } = currentSession(c);
      await call(c, "users", c.env.USERS.endOtherSessions(callContext(c)));
      forgetSessionsOf(userId, sessionId);
      await closeLive(c, { userId, except: sessionId });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/sessions/{id}",
      operationId: "endSession",
      tags,
      summary: "End one of your sessions (this one too: that is signing out)",
      security: bearer,
      middleware,
      request: { params: IdParam },
      responses: { 204: { description: "The session ended" }, ...problems(401, 404, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await call(c, "users", c.env.USERS.endSession(callContext(c), id));
      const { userId } = currentSession(c);
      forgetSession(userId, id);
      await closeLive(c, { userId, sessionId: id });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/friend-requests",
      operationId: "listFriendRequests",
      tags,
      summary: "Your pending friend requests, incoming or outgoing",
      security: bearer,
      middleware,
      request: { query: ListQuery.extend(FriendRequestQuery.shape) },
      responses: { 200: json(FriendRequestPage, "A page of requests"), ...problems(401, 422) },
    }),
    async (c) => {
      const { direction, ...query } = c.req.valid("query");
      return c.json(
        await read(c, "users", () =>
          c.env.USERS.listFriendRequests(callContext(c), direction, query),
        ),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/friend-requests/{id}/accept",
      operationId: "acceptFriendRequest",
      tags,
      summary: "Accept a friend request sent to you",
      security: bearer,
      middleware,
      request: { params: IdParam },
      responses: {
        200: json(FriendRequest, "The accepted request"),
        ...problems(401, 403, 404, 409, 429),
      },
    }),
    async (c) =>
      c.json(
        await call(
          c,
          "users",
          c.env.USERS.acceptFriendRequest(callContext(c), c.req.valid("param").id),
        ),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/friend-requests/{id}/decline",
      operationId: "declineFriendRequest",
      tags,
      summary: "Decline a friend request sent to you",
      security: bearer,
      middleware,
      request: { params: IdParam },
      responses: {
        200: json(FriendRequest, "The declined request"),
        ...problems(401, 403, 404, 409, 429),
      },
    }),
    async (c) =>
      c.json(
        await call(
          c,
          "users",
          c.env.USERS.declineFriendRequest(callContext(c), c.req.valid("param").id),
        ),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/friend-requests/{id}",
      operationId: "cancelFriendRequest",
      tags,
      summary: "Cancel a friend request you sent",
      security: bearer,
      middleware,
      request: { params: IdParam },
      responses: { 204: { description: "Canceled" }, ...problems(401, 403, 404, 409, 429) },
    }),
    async (c) => {
      await call(
        c,
        "users",
        c.env.USERS.cancelFriendRequest(callContext(c), c.req.valid("param").id),
      );
      return c.body(null, 204);
    },
  );
