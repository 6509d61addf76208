import { ListQuery, MarkReadInput, NotificationPage, UnreadCount } from "@flock/contracts";
import { createRoute } from "@hono/zod-openapi";
import { composeNotifications } from "../compose";
import { signedIn } from "../middleware";
import { bearer, body, json, problems, router } from "../openapi";
import { call, callContext, read } from "../rpc";

const tags = ["notifications"];
const middleware = [signedIn];

export const notifications = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      operationId: "listNotifications",
      tags,
      summary: "Your notifications, newest first, with the unread count",
      security: bearer,
      middleware,
      request: { query: ListQuery },
      responses: { 200: json(NotificationPage, "A page of notifications"), ...problems(401, 422) },
    }),
    async (c) => {
      const page = await read(c, "notifications", () =>
        c.env.NOTIFICATIONS.list(callContext(c), c.req.valid("query")),
      );
      const { items, missing } = await composeNotifications(c, page.items);
      return c.json(
        {
          items,
          nextCursor: page.nextCursor,
          unreadCount: page.unreadCount,
          ...(missing.length > 0 ? { missing } : {}),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/read",
      operationId: "markNotificationsRead",
      tags,
      summary: "Mark your notifications read, all of them or those up to an id",
      security: bearer,
      middleware,
      request: body(MarkReadInput),
      responses: {
        200: json(UnreadCount, "What is still unread"),
        ...problems(400, 401, 422, 429),
      },
    }),
    async (c) =>
      c.json(
        await call(
          c,
          "notifications",
          c.env.NOTIFICATIONS.markRead(callContext(c), c.req.valid("json")),
        ),
        200,
      ),
  );
