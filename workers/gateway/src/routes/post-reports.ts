import { IdParam, ReportInput } from "@flock/contracts";
import { createRoute } from "@hono/zod-openapi";
import { signedIn } from "../middleware";
import { bearer, body, problems, router } from "../openapi";
import { call, callContext } from "../rpc";

/** Reports on posts, mounted beside the posts routes under /v1/posts. */
export const postReports = router().openapi(
  createRoute({
    method: "post",
    path: "/{id}/report",
    operationId: "reportPost",
    tags: ["posts"],
    summary:
      "Report a post; three reports by accounts at least a day old hide it until a moderator decides",
    security: bearer,
    middleware: [signedIn],
    request: { params: IdParam, ...body(ReportInput) },
    responses: {
      202: { description: "Report received" },
      ...problems(400, 401, 403, 404, 422, 429),
    },
  }),
  async (c) => {
    await call(
      c,
      "posts",
      c.env.POSTS.reportPost(callContext(c), c.req.valid("param").id, c.req.valid("json")),
    );
    return c.body(null, 202);
  },
);
