import {
  FriendRequest,
  HandleParam,
  ListQuery,
  PostPage,
  Profile,
  ProfileSummaryPage,
} from "@flock/contracts";
import { AppError } from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import { composePostPage } from "../compose";
import { signedIn } from "../middleware";
import { anyone, bearer, json, optionalBearer, problems, router } from "../openapi";
import { call, callContext, read } from "../rpc";

const tags = ["users"];
const middleware = [signedIn];

const listRoute = (path: string, operationId: string, summary: string) =>
  createRoute({
    method: "get",
    path,
    operationId,
    tags,
    summary,
    security: anyone,
    request: { params: HandleParam, query: ListQuery },
    responses: { 200: json(ProfileSummaryPage, "A page of profiles"), ...problems(401, 404, 422) },
  });

export const users = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/{handle}",
      operationId: "getProfile",
      tags,
      summary: "A profile with counts; signed in, also how you relate to it",
      security: optionalBearer,
      request: { params: HandleParam },
      responses: { 200: json(Profile, "The profile"), ...problems(401, 404) },
    }),
    async (c) =>
      c.json(
        await read(c, "users", () =>
          c.env.USERS.getProfile(callContext(c), c.req.valid("param").handle),
        ),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{handle}/follow",
      operationId: "follow",
      tags,
      summary: "Follow a user (idempotent)",
      security: bearer,
      middleware,
      request: { params: HandleParam },
      responses: {
        200: json(Profile, "The followed profile"),
        ...problems(401, 403, 404, 422, 429),
      },
    }),
    async (c) =>
      c.json(
        await call(c, "users", c.env.USERS.follow(callContext(c), c.req.valid("param").handle)),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{handle}/follow",
      operationId: "unfollow",
      tags,
      summary: "Stop following a user (idempotent)",
      security: bearer,
      middleware,
      request: { params: HandleParam },
      responses: { 200: json(Profile, "The unfollowed profile"), ...problems(401, 404, 429) },
    }),
    async (c) =>
      c.json(
        await call(c, "users", c.env.USERS.unfollow(callContext(c), c.req.valid("param").handle)),
        200,
      ),
  )
  .openapi(
    listRoute("/{handle}/followers", "listFollowers", "Who follows a user, newest first"),
    async (c) => {
      const { handle } = c.req.valid("param");
      return c.json(
        await read(c, "users", () =>
          c.env.USERS.listFollowers(callContext(c), handle, c.req.valid("query")),
        ),
        200,
      );
    },
  )
  .openapi(
    listRoute("/{handle}/following", "listFollowing", "Whom a user follows, newest first"),
    async (c) => {
      const { handle } = c.req.valid("param");
      return c.json(
        await read(c, "users", () =>
          c.env.USERS.listFollowing(callContext(c), handle, c.req.valid("query")),
        ),
        200,
      );
    },
  )
  .openapi(
    listRoute("/{handle}/friends", "listFriends", "A user's friends, newest first"),
    async (c) => {
      const { handle } = c.req.valid("param");
      return c.json(
        await read(c, "users", () =>
          c.env.USERS.listFriends(callContext(c), handle, c.req.valid("query")),
        ),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{handle}/friend-request",
      operationId: "sendFriendRequest",
      tags,
      summary: "Ask a user to be friends (accepts theirs if they already asked you)",
      security: bearer,
      middleware,
      request: { params: HandleParam },
      responses: {
        201: json(FriendRequest, "The request"),
        ...problems(401, 403, 404, 409, 422, 429),
      },
    }),
    async (c) =>
      c.json(
        await call(
          c,
          "users",
          c.env.USERS.sendFriendRequest(callContext(c), c.req.valid("param").handle),
        ),
        201,
      ),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{handle}/friend",
      operationId: "unfriend",
      tags,
      summary: "End a friendship",
      security: bearer,
      middleware,
      request: { params: HandleParam },
      responses: { 200: json(Profile, "The profile"), ...problems(401, 404, 429) },
    }),
    async (c) =>
      c.json(
        await call(c, "users", c.env.USERS.unfriend(callContext(c), c.req.valid("param").handle)),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{handle}/posts",
      operationId: "listUserPosts",
      tags: ["posts"],
      summary: "A user's posts and shares, newest first",
      security: optionalBearer,
      request: { params: HandleParam, query: ListQuery },
      responses: { 200: json(PostPage, "A page of posts"), ...problems(401, 404, 422) },
    }),
    async (c) => {
      const ctx = callContext(c);
      const { handle } = c.req.valid("param");
      const query = c.req.valid("query");
      // One call when the posts service knows the handle from its author replica; a handle it has
      // not heard of yet (or one that does not exist) goes through the users service, its owner.
      const page = await read(c, "posts", () =>
        c.env.POSTS.userTimelineByHandle(ctx, handle, query),
      ).catch(async (error: unknown) => {
        if (!(error instanceof AppError) || error.code !== "not_found") throw error;
        const profile = await read(c, "users", () => c.env.USERS.getProfile(ctx, handle));
        return read(c, "posts", () => c.env.POSTS.userTimeline(ctx, profile.id, query));
      });
      return c.json(await composePostPage(c, page), 200);
    },
  );
