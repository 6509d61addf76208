import { withinDeadline } from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Env } from "../env";
import { json, router } from "../openapi";

const ServiceHealth = z.object({
  service: z.string(),
  ok: z.boolean(),
  detail: z.string().optional(),
});
const Health = z.object({ ok: z.boolean(), services: z.array(ServiceHealth) });

const HEALTH_DEADLINE_MS = 2_000;

/** Asks one service for its health, counting an error or a slow answer as down. */
async function probe(name: string, check: () => Promise<z.infer<typeof ServiceHealth>>) {
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
  ];
}

export const health = router().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["health"],
    summary: "Each service's status; 503 when any is down",
    responses: {
      200: json(Health, "All services are up"),
      503: json(Health, "Some service is down"),
    },
  }),
  async (c) => {
    const results = await Promise.all(services(c.env));
    const ok = results.every((result) => result.ok);
    return ok ? c.json({ ok, services: results }, 200) : c.json({ ok, services: results }, 503);
  },
);
