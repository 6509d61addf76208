import { type LatencyFigures, OperationsFigures, type QueueFigures } from "@flock/contracts";
import { AppError, describeError, withinDeadline } from "@flock/kit";
import { z } from "zod";
import type { Env } from "./env";

/** How long the figures may take to come back before the page is told they are unavailable. */
const FIGURES_DEADLINE_MS = 5_000;

/** Routes and methods listed at most: the busiest. */
const MOST = 50;

/**
 * The production queries, over the span data points' layout (docs/OPERATIONS.md "Metrics"): blob1
 * kind, blob3 name, blob4 outcome, blob5 status class, blob6 queue; double1 duration, double3
 * messages, double4 retried, double5 dead-lettered, double6 oldest message's age. Analytics Engine
 * samples, so every count is weighted by `_sample_interval`.
 */
function latencyQuery(kind: "route" | "rpc", minutes: number): string {
  const failed = kind === "route" ? "blob5 = '5xx'" : "blob4 = 'error'";
  return `SELECT blob3 AS name,
  SUM(_sample_interval) AS count,
  SUM(IF(blob5 = '4xx', _sample_interval, 0)) AS client_errors,
  SUM(IF(${failed}, _sample_interval, 0)) AS server_errors,
  quantileExactWeighted(0.5)(double1, _sample_interval) AS p50_ms,
  quantileExactWeighted(0.99)(double1, _sample_interval) AS p99_ms
FROM flock_metrics
WHERE blob1 = '${kind}' AND timestamp > NOW() - INTERVAL '${minutes}' MINUTE
GROUP BY name ORDER BY count DESC LIMIT ${MOST}
FORMAT JSON`;
}

function queueQuery(minutes: number): string {
  return `SELECT blob6 AS queue,
  SUM(_sample_interval * double3) AS consumed,
  SUM(_sample_interval * double4) AS retried,
  SUM(_sample_interval * double5) AS dead_lettered,
  quantileExactWeighted(0.5)(double6, _sample_interval) AS age_p50_ms,
  MAX(double6) AS age_max_ms
FROM flock_metrics
WHERE blob1 = 'consumer' AND timestamp > NOW() - INTERVAL '${minutes}' MINUTE
GROUP BY queue ORDER BY consumed DESC
FORMAT JSON`;
}

// ClickHouse's JSON answers 64-bit integers as strings: every number is coerced.
const number = z.coerce.number().nonnegative();
const count = number.transform(Math.round);
const LatencyRow = z.object({
  name: z.string(),
  count,
  client_errors: count,
  server_errors: count,
  p50_ms: number,
  p99_ms: number,
});
const QueueRow = z.object({
  queue: z.string(),
  consumed: count,
  retried: count,
  dead_lettered: count,
  age_p50_ms: number,
  age_max_ms: number,
});
const answer = <T extends z.ZodType>(row: T) => z.object({ data: z.array(row) });

/** One query of the Analytics Engine SQL API; its rows, checked. */
async function ask<T extends z.ZodType>(env: Env, sql: string, row: T): Promise<z.infer<T>[]> {
  const response = await fetch(
    `https://api.cloudflare.com/client/v4/accounts/${env.ANALYTICS_ACCOUNT_ID}/analytics_engine/sql`,
    { method: "POST", headers: { authorization: `Bearer ${env.ANALYTICS_API_TOKEN}` }, body: sql },
  );
  if (!response.ok) throw new Error(`the SQL API answered ${response.status}`);
  return answer(row).parse(await response.json()).data;
}

async function fromAnalyticsEngine(env: Env, minutes: number): Promise<OperationsFigures> {
  const latency = (row: z.infer<typeof LatencyRow>): LatencyFigures => ({
    name: row.name,
    count: row.count,
    clientErrors: row.client_errors,
    serverErrors: row.server_errors,
    p50Ms: row.p50_ms,
    p99Ms: row.p99_ms,
  });
  const queue = (row: z.infer<typeof QueueRow>): QueueFigures => ({
    queue: row.queue,
    consumed: row.consumed,
    retried: row.retried,
    deadLettered: row.dead_lettered,
    oldestAgeP50Ms: row.age_p50_ms,
    oldestAgeMaxMs: row.age_max_ms,
  });
  const [routes, methods, queues] = await Promise.all([
    ask(env, latencyQuery("route", minutes), LatencyRow),
    ask(env, latencyQuery("rpc", minutes), LatencyRow),
    ask(env, queueQuery(minutes), QueueRow),
  ]);
  return {
    source: "analytics-engine",
    minutes,
    routes: routes.map(latency),
    methods: methods.map(latency),
    queues: queues.map(queue),
  };
}

/** A local run's figures, from the span lines of its log (scripts/figures.ts serves them). */
async function fromLocalLog(url: string, minutes: number): Promise<OperationsFigures> {
  const response = await fetch(`${url}?minutes=${minutes}`);
  if (!response.ok) throw new Error(`the local figures answered ${response.status}`);
  return OperationsFigures.parse(await response.json());
}

/**
 * The last `minutes` of figures: from Analytics Engine when the gateway has an account and a token
 * to read it with (ANALYTICS_ACCOUNT_ID, ANALYTICS_API_TOKEN); in a local run, from the log's span
 * lines (LOCAL_FIGURES_URL, honoured only with LOCAL_RUN). Without either, or when the source
 * fails or is slow, they are unavailable (a 503): what went wrong is logged, not answered.
 */
export async function figures(env: Env, minutes: number): Promise<OperationsFigures> {
  const local = env.LOCAL_RUN === "true" ? env.LOCAL_FIGURES_URL : undefined;
  const source =
    env.ANALYTICS_ACCOUNT_ID && env.ANALYTICS_API_TOKEN
      ? () => fromAnalyticsEngine(env, minutes)
      : local
        ? () => fromLocalLog(local, minutes)
        : null;
  if (!source)
    throw new AppError(
      "unavailable",
      "No figures here: the gateway has no Analytics Engine account to read them from.",
    );
  try {
    return await withinDeadline(source, { deadlineMs: FIGURES_DEADLINE_MS });
  } catch (error) {
    console.error(
      JSON.stringify({ level: "error", message: "figures failed", error: describeError(error) }),
    );
    throw new AppError("unavailable", "The figures are unavailable; try again shortly.");
  }
}
