import { Health, HealthReport, type ServiceHealth } from "@flock/contracts";
import {
  DEFAULT_HEALTH_THRESHOLDS,
  describeError,
  type HealthThresholds,
  judgeHealth,
  overallHealth,
  withinDeadline,
} from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv, Env } from "../env";
import { json, problems, router } from "../openapi";
import { OPERATOR_HEADER, presentsOperatorToken } from "../operator";

const HEALTH_DEADLINE_MS = 2_000;

/**
 * How long an isolate reuses its last probe of the services: a flood of health checks then costs
 * each service about one query a second per isolate (those racing the first answer probe too), not
 * one per request.
 */
const REUSE_MS = 1_000;

/** Asks one service for its health: an error, a slow answer or one of the wrong shape is down. */
async function probe(service: string, check: () => Promise<Health>): Promise<Health> {
  try {
    const answer = Health.safeParse(
      await withinDeadline(check, { deadlineMs: HEALTH_DEADLINE_MS }),
    );
    if (answer.success) return answer.data;
    throw new Error("the health answer does not have the Health shape");
  } catch (error) {
    // Logged with what went wrong; the answer says only "down".
    console.error(
      JSON.stringify({
        level: "error",
        message: "health probe failed",
        service,
        error: describeError(error),
      }),
    );
    return { service, database: "down" };
  }
}

function probeAll(env: Env): Promise<Health[]> {
  return Promise.all([
    probe("users", () => env.USERS.health()),
    probe("posts", () => env.POSTS.health()),
    probe("comments", () => env.COMMENTS.health()),
    probe("notifications", () => env.NOTIFICATIONS.health()),
    probe("media", () => env.MEDIA.health()),
    probe("search", () => env.SEARCH.health()),
    probe("live", () => env.LIVE.health()),
  ]);
}

let lastProbe: { at: number; answers: Health[] } | null = null;

/**
 * The services' answers, probed now or at most REUSE_MS ago. What is kept is the answers, never the
 * pending probe: a promise of another request's I/O must not be awaited by this one (workerd ties
 * I/O to the request that started it).
 */
async function answers(env: Env): Promise<Health[]> {
  const now = Date.now();
  if (lastProbe && now - lastProbe.at < REUSE_MS) return lastProbe.answers;
  const found = await probeAll(env);
  lastProbe = { at: Date.now(), answers: found };
  return found;
}

/** A millisecond var as a threshold, or the production default when it is missing or not a number. */
function msVar(value: string | undefined, fallback: number): number {
  const ms = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(ms) && ms >= 0 ? ms : fallback;
}

/** HEALTH_STUCK_MS and HEALTH_LAG_MS as thresholds (five minutes each when unset). */
export function thresholds(env: Pick<Env, "HEALTH_STUCK_MS" | "HEALTH_LAG_MS">): HealthThresholds {
  return {
    stuckMs: msVar(env.HEALTH_STUCK_MS, DEFAULT_HEALTH_THRESHOLDS.stuckMs),
    lagMs: msVar(env.HEALTH_LAG_MS, DEFAULT_HEALTH_THRESHOLDS.lagMs),
  };
}

/** Whether the request may see each service's figures: a moderator's token or the operator token. */
async function seesDetails(c: Context<AppEnv>): Promise<boolean> {
  if (c.get("standing")?.role === "moderator") return true;
  return presentsOperatorToken(c.env, c.req.header(OPERATOR_HEADER));
}

export const health = router().openapi(
  createRoute({
    method: "get",
    path: "/",
    operationId: "getHealth",
    tags: ["health"],
    summary: "Each service's status: 503 when any is down",
    description:
      "`degraded` when a service holds dead letters, has an outbox row unsent for longer than " +
      "HEALTH_STUCK_MS, or an inbox message waiting for longer than HEALTH_LAG_MS (five minutes " +
      "each in production); `down` when a service or its database does not answer within 2 s. " +
      "With a moderator's token, or the operator token in the Flock-Operator-Token header, each " +
      "service also has its `details`; any other token, or a wrong operator token, gets the plain " +
      "view. Answers from the last second may be reused.",
    // Public; a moderator's bearer token or the operator token adds the figures.
    security: [{}, { bearerAuth: [] }, { operatorToken: [] }],
    responses: {
      200: json(HealthReport, "Every service answers: ok or degraded"),
      ...problems(401),
      503: json(HealthReport, "Some service is down"),
    },
  }),
  async (c) => {
    const limits = thresholds(c.env);
    const [found, detailed] = await Promise.all([answers(c.env), seesDetails(c)]);
    const services: ServiceHealth[] = found.map((answer) => {
      const status = judgeHealth(answer, limits);
      return detailed && answer.details
        ? { service: answer.service, status, details: answer.details }
        : { service: answer.service, status };
    });
    const status = overallHealth(services.map((service) => service.status));
    const report: HealthReport = { status, services };
    return status === "down" ? c.json(report, 503) : c.json(report, 200);
  },
);
