import { type Health, HealthReport } from "@flock/contracts";
import { withinDeadline } from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import type { Env } from "../env";
import { anyone, json, problems, router } from "../openapi";

const HEALTH_DEADLINE_MS = 2_000;

/** Asks one service for its health, counting an error or a slow answer as down. */
async function probe(name: string, check: () => Promise<Health>) {
  try {
    return await withinDeadline(check, { deadlineMs: HEALTH_DEADLINE_MS });
  } catch (error) {
    return { service: name, ok: false, detail: String(error) };
  }
}

function services(env: Env) {
  return [
    probe("users", () => env.USERS.health()),
    probe("posts", () => env.POSTS.health()),
    probe("comments", () => env.COMMENTS.health()),
    probe("notifications", () => env.NOTIFICATIONS.health()),
    probe("media", () => env.MEDIA.health()),
    probe("search", () => env.SEARCH.health()),
  ];
}

export const health = router().openapi(
  createRoute({
    method: "get",
    path: "/",
    operationId: "getHealth",
    tags: ["health"],
    summary: "Each service's status; 503 when any is down",
    security: anyone,
    responses: {
      200: json(HealthReport, "All services are up"),
      ...problems(401),
      503: json(HealthReport, "Some service is down"),
    },
  }),
  async (c) => {
    const results = await Promise.all(services(c.env));
    const ok = results.every((result) => result.ok);
    return ok ? c.json({ ok, services: results }, 200) : c.json({ ok, services: results }, 503);
  },
);
