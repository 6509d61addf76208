import { HandleParam, ListQuery, Profile, ProfileSummaryPage } from "@flock/contracts";
import { createRoute } from "@hono/zod-openapi";
import { signedIn } from "../middleware";
import { bearer, json, problems, router } from "../openapi";
import { call, callContext, read } from "../rpc";

const tags = ["safety"];
const middleware = [signedIn];

type Change = "block" | "unblock" | "mute" | "unmute";

const changeRoute = (
  method: "put" | "delete",
  path: string,
  operationId: Change,
  summary: string,
) =>
  createRoute({
    method,
    path,
    operationId,
    tags,
    summary,
    security: bearer,
    middleware,
    request: { params: HandleParam },
    responses: {
      200: json(Profile, "The profile as you now see it"),
      ...problems(401, 404, 422, 429),
    },
  });

const listRoute = (path: string, operationId: "listBlocks" | "listMutes", summary: string) =>
  createRoute({
    method: "get",
    path,
    operationId,
    tags,
    summary,
    security: bearer,
    middleware,
    request: { query: ListQuery },
    responses: { 200: json(ProfileSummaryPage, "A page of profiles"), ...problems(401, 422) },
  });

/** Blocking and muting a user, under /v1/users: each idempotent, each answering the profile. */
export const blocks = router()
  .openapi(
    changeRoute(
      "put",
      "/{handle}/block",
      "block",
      "Block a user (idempotent): ends follows both ways, pending friend requests and a friendship",
    ),
    async (c) =>
      c.json(
        await call(c, "users", c.env.USERS.block(callContext(c), c.req.valid("param").handle)),
        200,
      ),
  )
  .openapi(
    changeRoute("delete", "/{handle}/block", "unblock", "Lift a block (idempotent)"),
    async (c) =>
      c.json(
        await call(c, "users", c.env.USERS.unblock(callContext(c), c.req.valid("param").handle)),
        200,
      ),
  )
  .openapi(
    changeRoute(
      "put",
      "/{handle}/mute",
      "mute",
      "Mute a user (idempotent): their posts leave your home feed, they notify you no more; they are not told",
    ),
    async (c) =>
      c.json(
        await call(c, "users", c.env.USERS.mute(callContext(c), c.req.valid("param").handle)),
        200,
      ),
  )
  .openapi(
    changeRoute("delete", "/{handle}/mute", "unmute", "Lift a mute (idempotent)"),
    async (c) =>
      c.json(
        await call(c, "users", c.env.USERS.unmute(callContext(c), c.req.valid("param").handle)),
        200,
      ),
  );

/** Your blocked and muted accounts, under /v1/me, newest first. */
export const myBlocks = router()
  .openapi(listRoute("/blocks", "listBlocks", "The accounts you block, newest first"), async (c) =>
    c.json(
      await read(c, "users", () => c.env.USERS.listBlocks(callContext(c), c.req.valid("query"))),
      200,
    ),
  )
  .openapi(listRoute("/mutes", "listMutes", "The accounts you mute, newest first"), async (c) =>
    c.json(
      await read(c, "users", () => c.env.USERS.listMutes(callContext(c), c.req.valid("query"))),
      200,
    ),
  );
