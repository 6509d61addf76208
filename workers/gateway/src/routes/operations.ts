import { FiguresQuery, OperationsFigures } from "@flock/contracts";
import { AppError } from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { figures } from "../figures";
import { json, moderatorOrOperator, problems, router } from "../openapi";
import { OPERATOR_HEADER, presentsOperatorToken } from "../operator";

/** A moderator, or the operator's monitoring with its token; anyone else is refused. */
const operatorsOnly = createMiddleware<AppEnv>(async (c, next) => {
  const allowed =
    c.get("standing")?.role === "moderator" ||
    (await presentsOperatorToken(c.env, c.req.header(OPERATOR_HEADER)));
  if (!allowed && !c.get("userId")) throw new AppError("unauthorized", "Sign in first.");
  if (!allowed)
    throw new AppError("forbidden", "Only moderators and operators can see the figures.");
  await next();
});

export const operations = router().openapi(
  createRoute({
    method: "get",
    path: "/figures",
    operationId: "getFigures",
    tags: ["health"],
    summary: "The last hour's figures: per route and RPC method, and per queue",
    description:
      "For moderators and the operator token (Flock-Operator-Token). Counts, error counts and " +
      "p50/p99 durations per route and RPC method, and per queue the messages consumed, retried " +
      "and dead-lettered and how long the oldest waited, over the last `minutes` (60 unless " +
      "asked). From Analytics Engine in production, from the run's span lines locally " +
      "(docs/OPERATIONS.md); 503 when the gateway has no source for them.",
    security: moderatorOrOperator,
    middleware: [operatorsOnly],
    request: { query: FiguresQuery },
    responses: {
      200: json(OperationsFigures, "The figures"),
      ...problems(401, 403, 422, 503),
    },
  }),
  async (c) => c.json(await figures(c.env, c.req.valid("query").minutes), 200),
);
