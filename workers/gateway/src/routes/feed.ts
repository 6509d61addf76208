import { ListQuery, PostPage } from "@flock/contracts";
import { createRoute } from "@hono/zod-openapi";
import { composePostPage } from "../compose";
import { signedIn } from "../middleware";
import { bearer, json, problems, router } from "../openapi";
import { callContext, read } from "../rpc";

export const feed = router().openapi(
  createRoute({
    method: "get",
    path: "/",
    operationId: "getFeed",
    tags: ["posts"],
    summary: "Your home timeline: your posts and shares and those of the accounts you follow",
    security: bearer,
    middleware: [signedIn],
    request: { query: ListQuery },
    responses: { 200: json(PostPage, "A page of posts"), ...problems(401, 422) },
  }),
  async (c) => {
    const page = await read(c, "posts", () =>
      c.env.POSTS.homeFeed(callContext(c), c.req.valid("query")),
    );
    return c.json(await composePostPage(c, page), 200);
  },
);
