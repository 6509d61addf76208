import {
  type AuditEntry,
  AuditPage,
  HandleParam,
  IdParam,
  ListQuery,
  ModeratedAccount,
  type Page,
  REPORT_ID_PREFIX,
  type ReportCase,
  ReportCasePage,
  ResolveInput,
  SuspendInput,
} from "@flock/contracts";
import { AppError, caseKey, decodeCursor, encodeCursor } from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import { moderatorsOnly } from "../middleware";
import { bearer, body, json, problems, router } from "../openapi";
import { call, callContext, read } from "../rpc";
import { noteSuspension } from "../session";

const tags = ["moderation"];
const middleware = [moderatorsOnly];

/**
 * One page of several services' lists, each already in `order` by `key` and cut after the same
 * cursor: the first `limit` of their union, and a cursor after the last one kept when any service
 * has more, or left some out here.
 */
function mergePages<T>(
  pages: Page<T>[],
  limit: number,
  key: (item: T) => string,
  order: "asc" | "desc",
): Page<T> {
  const sign = order === "asc" ? 1 : -1;
  const all = pages
    .flatMap((page) => page.items)
    .sort((a, b) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const items = all.slice(0, limit);
  const last = items.at(-1);
  const more = all.length > limit || pages.some((page) => page.nextCursor !== null);
  return { items, nextCursor: more && last ? encodeCursor(key(last)) : null };
}

/** Which service owns a queue item, by its id's prefix, and the target's own id. */
function ownerOf(id: string): { service: "posts" | "comments"; targetId: string } {
  if (id.startsWith(REPORT_ID_PREFIX.post))
    return { service: "posts", targetId: id.slice(REPORT_ID_PREFIX.post.length) };
  if (id.startsWith(REPORT_ID_PREFIX.comment))
    return { service: "comments", targetId: id.slice(REPORT_ID_PREFIX.comment.length) };
  throw new AppError("not_found", "No such report.");
}

/** POST /accounts/{handle}/suspend or /unsuspend, as the OpenAPI document describes them. */
function suspensionRoute(action: "suspend" | "unsuspend") {
  return createRoute({
    method: "post",
    path: `/accounts/{handle}/${action}`,
    operationId: `${action}Account`,
    tags,
    summary:
      action === "suspend"
        ? "Suspend an account: it can still sign in and read, but every write is refused"
        : "Lift a suspension",
    security: bearer,
    middleware,
    request: { params: HandleParam, ...body(SuspendInput, false) },
    responses: {
      200: json(
        ModeratedAccount,
        action === "suspend" ? "The suspended account" : "The account, no longer suspended",
      ),
      ...problems(400, 401, 403, 404, 422, 429, 503),
    },
  });
}

export const moderation = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/reports",
      operationId: "listReports",
      tags,
      summary: "Open reports on posts and comments, and held posts: the oldest first report first",
      security: bearer,
      middleware,
      request: { query: ListQuery },
      responses: {
        200: json(ReportCasePage, "A page of the moderation queue"),
        ...problems(401, 403, 422, 503),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      // Checked here too, so a cursor that is not valid is a 422 before either service is asked.
      decodeCursor(query.cursor);
      const ctx = callContext(c);
      const pages = await Promise.all([
        read(c, "posts", () => c.env.POSTS.listReportCases(ctx, query)),
        read(c, "comments", () => c.env.COMMENTS.listReportCases(ctx, query)),
      ]);
      return c.json(mergePages<ReportCase>(pages, query.limit, caseKey, "asc"), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/reports/{id}/resolve",
      operationId: "resolveReport",
      tags,
      summary:
        "Close a post's or comment's open reports: dismiss (and show it again), hide it, or remove it",
      security: bearer,
      middleware,
      request: { params: IdParam, ...body(ResolveInput) },
      responses: {
        204: { description: "Resolved, and recorded in the audit log" },
        ...problems(400, 401, 403, 404, 422, 429, 503),
      },
    }),
    async (c) => {
      const { service, targetId } = ownerOf(c.req.valid("param").id);
      const input = c.req.valid("json");
      const ctx = callContext(c);
      if (service === "posts")
        await call(c, "posts", c.env.POSTS.resolveReportCase(ctx, targetId, input));
      else await call(c, "comments", c.env.COMMENTS.resolveReportCase(ctx, targetId, input));
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/accounts/{handle}",
      operationId: "getModeratedAccount",
      tags,
      summary: "An account's role and whether it is suspended",
      security: bearer,
      middleware,
      request: { params: HandleParam },
      responses: {
        200: json(ModeratedAccount, "The account"),
        ...problems(401, 403, 404, 503),
      },
    }),
    async (c) =>
      c.json(
        await read(c, "users", () =>
          c.env.USERS.getModeratedAccount(callContext(c), c.req.valid("param").handle),
        ),
        200,
      ),
  )
  .openapi(suspensionRoute("suspend"), async (c) => {
    const { handle } = c.req.valid("param");
    const input = c.req.valid("json");
    const account = await call(
      c,
      "users",
      c.env.USERS.suspendAccount(callContext(c), handle, input),
    );
    noteSuspension(account.id, true);
    return c.json(account, 200);
  })
  .openapi(suspensionRoute("unsuspend"), async (c) => {
    const { handle } = c.req.valid("param");
    const input = c.req.valid("json");
    const account = await call(
      c,
      "users",
      c.env.USERS.unsuspendAccount(callContext(c), handle, input),
    );
    noteSuspension(account.id, false);
    return c.json(account, 200);
  })
  .openapi(
    createRoute({
      method: "get",
      path: "/audit",
      operationId: "listAudit",
      tags,
      summary: "Every moderator action, newest first, from every service that performs them",
      security: bearer,
      middleware,
      request: { query: ListQuery },
      responses: {
        200: json(AuditPage, "A page of the audit log"),
        ...problems(401, 403, 422, 503),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      decodeCursor(query.cursor);
      const ctx = callContext(c);
      const pages = await Promise.all([
        read(c, "users", () => c.env.USERS.listAudit(ctx, query)),
        read(c, "posts", () => c.env.POSTS.listAudit(ctx, query)),
        read(c, "comments", () => c.env.COMMENTS.listAudit(ctx, query)),
      ]);
      return c.json(
        mergePages<AuditEntry>(pages, query.limit, (entry) => entry.id, "desc"),
        200,
      );
    },
  );
