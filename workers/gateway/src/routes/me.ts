import {
  FriendRequest,
  FriendRequestPage,
  FriendRequestQuery,
  IdParam,
  ListQuery,
  UpdateMeInput,
  User,
} from "@flock/contracts";
import { createRoute } from "@hono/zod-openapi";
import { signedIn } from "../middleware";
import { bearer, body, json, problems, router } from "../openapi";
import { call, callContext, read } from "../rpc";

const tags = ["me"];
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
      summary: "Change your account",
      security: bearer,
      middleware,
      request: body(UpdateMeInput),
      responses: { 200: json(User, "Your changed account"), ...problems(400, 401, 409, 422, 429) },
    }),
    async (c) =>
      c.json(
        await call(c, "users", c.env.USERS.updateMe(callContext(c), c.req.valid("json"))),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/",
      operationId: "deleteMe",
      tags,
      summary: "Delete your account; your posts, comments and notifications follow within seconds",
      security: bearer,
      middleware,
      responses: { 204: { description: "Deleted" }, ...problems(401, 404, 429) },
    }),
    async (c) => {
      await call(c, "users", c.env.USERS.deleteMe(callContext(c)));
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
