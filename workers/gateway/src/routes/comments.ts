import { Comment, IdParam, ReportInput, UpdateCommentInput } from "@flock/contracts";
import { AppError } from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { composeComments } from "../compose";
import type { AppEnv } from "../env";
import { signedIn } from "../middleware";
import { bearer, body, json, problems, router } from "../openapi";
import { call, callContext } from "../rpc";

const tags = ["comments"];
const middleware = [signedIn];

async function composed(c: Context<AppEnv>, record: Parameters<typeof composeComments>[1][number]) {
  const [comment] = await composeComments(c, [record]);
  if (!comment) throw new AppError("not_found", "No such comment.");
  return comment;
}

export const comments = router()
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      operationId: "updateComment",
      tags,
      summary: "Edit your comment",
      security: bearer,
      middleware,
      request: { params: IdParam, ...body(UpdateCommentInput) },
      responses: {
        200: json(Comment, "The edited comment"),
        ...problems(400, 401, 403, 404, 422, 429),
      },
    }),
    async (c) => {
      const record = await call(
        c,
        "comments",
        c.env.COMMENTS.updateComment(callContext(c), c.req.valid("param").id, c.req.valid("json")),
      );
      return c.json(await composed(c, record), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      operationId: "deleteComment",
      tags,
      summary: "Delete a comment: yours, or any on your post",
      security: bearer,
      middleware,
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...problems(401, 403, 404, 429) },
    }),
    async (c) => {
      await call(
        c,
        "comments",
        c.env.COMMENTS.deleteComment(callContext(c), c.req.valid("param").id),
      );
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/report",
      operationId: "reportComment",
      tags,
      summary: "Report a comment; three people reporting it hide it",
      security: bearer,
      middleware,
      request: { params: IdParam, ...body(ReportInput) },
      responses: { 202: { description: "Report received" }, ...problems(400, 401, 404, 422, 429) },
    }),
    async (c) => {
      await call(
        c,
        "comments",
        c.env.COMMENTS.reportComment(callContext(c), c.req.valid("param").id, c.req.valid("json")),
      );
      return c.body(null, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/approve",
      operationId: "approveComment",
      tags,
      summary: "Release a held comment on your post",
      security: bearer,
      middleware,
      request: { params: IdParam },
      responses: { 200: json(Comment, "The released comment"), ...problems(401, 403, 404, 429) },
    }),
    async (c) => {
      const record = await call(
        c,
        "comments",
        c.env.COMMENTS.approveComment(callContext(c), c.req.valid("param").id),
      );
      return c.json(await composed(c, record), 200);
    },
  );
