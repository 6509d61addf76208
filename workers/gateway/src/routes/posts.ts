import {
  Comment,
  CommentPage,
  CreateCommentInput,
  CreatePostInput,
  IdempotencyHeaders,
  IdParam,
  LikeState,
  ListQuery,
  Post,
  PostDetail,
  PostPage,
  PostQuery,
  ShareInput,
  TimelineQuery,
  UpdatePostInput,
} from "@flock/contracts";
import { AppError } from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { composeComments, composePost, composePostPage } from "../compose";
import type { AppEnv } from "../env";
import { signedIn } from "../middleware";
import { bearer, body, json, optionalBearer, problems, router } from "../openapi";
import { call, callContext, read } from "../rpc";

const tags = ["posts"];
const middleware = [signedIn];

async function postOrGone(c: Context<AppEnv>, record: Parameters<typeof composePost>[1]) {
  const post = await composePost(c, record);
  if (!post) throw new AppError("not_found", "No such post.");
  return post;
}

export const posts = router()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      operationId: "createPost",
      tags,
      summary: "Write a post (honours Idempotency-Key)",
      security: bearer,
      middleware,
      request: { ...body(CreatePostInput), headers: IdempotencyHeaders },
      responses: {
        201: json(Post, "The new post"),
        ...problems(400, 401, 403, 404, 409, 422, 429, 503),
      },
    }),
    async (c) => {
      const key = c.req.valid("header")["idempotency-key"];
      const record = await call(
        c,
        "posts",
        c.env.POSTS.createPost(callContext(c), c.req.valid("json"), key),
      );
      return c.json(await postOrGone(c, record), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      operationId: "listPosts",
      tags,
      summary: "Everyone's posts, newest first, or those with a tag",
      security: optionalBearer,
      request: { query: ListQuery.extend(TimelineQuery.shape) },
      responses: { 200: json(PostPage, "A page of posts"), ...problems(401, 422) },
    }),
    async (c) => {
      const { tag, ...query } = c.req.valid("query");
      const page = await read(c, "posts", () =>
        c.env.POSTS.publicTimeline(callContext(c), tag, query),
      );
      return c.json(await composePostPage(c, page), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      operationId: "getPost",
      tags,
      summary:
        "A post; with ?include=comments also its first comments (left out, and listed in `missing`, when the comments service is down)",
      security: optionalBearer,
      request: { params: IdParam, query: PostQuery },
      responses: { 200: json(PostDetail, "The post"), ...problems(401, 404, 422) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const ctx = callContext(c);
      const withComments = c.req.valid("query").include === "comments";
      const [record, comments] = await Promise.all([
        read(c, "posts", () => c.env.POSTS.getPost(ctx, id)),
        withComments
          ? read(c, "comments", () => c.env.COMMENTS.listComments(ctx, id, { limit: 20 })).catch(
              (error: unknown) => {
                if (error instanceof AppError && error.code === "unavailable") return null;
                throw error;
              },
            )
          : undefined,
      ]);
      const post = await postOrGone(c, record);
      if (comments === undefined) return c.json(post, 200);
      if (comments === null) return c.json({ ...post, comments: null, missing: ["comments"] }, 200);
      return c.json(
        {
          ...post,
          comments: {
            items: await composeComments(c, comments.items),
            nextCursor: comments.nextCursor,
          },
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      operationId: "updatePost",
      tags,
      summary: "Edit your post",
      security: bearer,
      middleware,
      request: { params: IdParam, ...body(UpdatePostInput) },
      responses: { 200: json(Post, "The edited post"), ...problems(400, 401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const record = await call(
        c,
        "posts",
        c.env.POSTS.updatePost(callContext(c), c.req.valid("param").id, c.req.valid("json")),
      );
      return c.json(await postOrGone(c, record), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      operationId: "deletePost",
      tags,
      summary: "Delete your post; its comments, likes and notifications follow",
      security: bearer,
      middleware,
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...problems(401, 403, 404, 429) },
    }),
    async (c) => {
      await call(c, "posts", c.env.POSTS.deletePost(callContext(c), c.req.valid("param").id));
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{id}/like",
      operationId: "likePost",
      tags,
      summary: "Like a post (idempotent)",
      security: bearer,
      middleware,
      request: { params: IdParam },
      responses: {
        200: json(LikeState, "Your like and the count"),
        ...problems(401, 403, 404, 429),
      },
    }),
    async (c) =>
      c.json(
        await call(c, "posts", c.env.POSTS.like(callContext(c), c.req.valid("param").id)),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}/like",
      operationId: "unlikePost",
      tags,
      summary: "Take back a like (idempotent)",
      security: bearer,
      middleware,
      request: { params: IdParam },
      responses: { 200: json(LikeState, "Your like and the count"), ...problems(401, 404, 429) },
    }),
    async (c) =>
      c.json(
        await call(c, "posts", c.env.POSTS.unlike(callContext(c), c.req.valid("param").id)),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/shares",
      operationId: "sharePost",
      tags,
      summary: "Share a post: a new post that embeds it (honours Idempotency-Key)",
      security: bearer,
      middleware,
      request: { params: IdParam, ...body(ShareInput), headers: IdempotencyHeaders },
      responses: { 201: json(Post, "The share"), ...problems(400, 401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const key = c.req.valid("header")["idempotency-key"];
      const record = await call(
        c,
        "posts",
        c.env.POSTS.sharePost(callContext(c), c.req.valid("param").id, c.req.valid("json"), key),
      );
      return c.json(await postOrGone(c, record), 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/comments",
      operationId: "createComment",
      tags: ["comments"],
      summary:
        "Comment on a post or reply to a comment; `status` is visible or held for moderation",
      security: bearer,
      middleware,
      request: { params: IdParam, ...body(CreateCommentInput) },
      responses: { 201: json(Comment, "The comment"), ...problems(400, 401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const record = await call(
        c,
        "comments",
        c.env.COMMENTS.createComment(callContext(c), c.req.valid("param").id, c.req.valid("json")),
      );
      const [comment] = await composeComments(c, [record]);
      if (!comment) throw new AppError("not_found", "That account no longer exists.");
      return c.json(comment, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/comments",
      operationId: "listComments",
      tags: ["comments"],
      summary: "A post's comments, oldest first, with parentId for threads",
      security: optionalBearer,
      request: { params: IdParam, query: ListQuery },
      responses: { 200: json(CommentPage, "A page of comments"), ...problems(401, 404, 422) },
    }),
    async (c) => {
      const page = await read(c, "comments", () =>
        c.env.COMMENTS.listComments(callContext(c), c.req.valid("param").id, c.req.valid("query")),
      );
      return c.json(
        { items: await composeComments(c, page.items), nextCursor: page.nextCursor },
        200,
      );
    },
  );
