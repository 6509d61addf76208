import type { Health, HealthStatus, Service } from "@flock/contracts";
import { describeError } from "./errors";

/**
 * One statement over the bookkeeping tables every service has (kit's dead_letters, inbox_failures,
 * processed_events; outbox for producers), so a health check costs one D1 round trip. A failure
 * counts as waiting while its message is neither applied (processed_events, by event id) nor kept
 * as a dead letter (by message id, or by the event id in its body): once dead-lettered it counts
 * among the dead letters instead. Each lookup is by primary key but the dead letters' body, and
 * that table is empty while all is well.
 */
function healthQuery(producer: boolean): string {
  const outbox = producer
    ? `(SELECT count(*) FROM outbox WHERE sent_at IS NULL) AS unsent_count,
       (SELECT min(created_at) FROM outbox WHERE sent_at IS NULL) AS oldest_unsent_at`
    : "0 AS unsent_count, NULL AS oldest_unsent_at";
  return `SELECT
    (SELECT count(*) FROM dead_letters) AS dead_letter_count,
    (SELECT min(coalesce(f.enqueued_at, f.failed_at)) FROM inbox_failures f
      WHERE NOT EXISTS (SELECT 1 FROM processed_events p WHERE p.id = f.key)
        AND NOT EXISTS (SELECT 1 FROM dead_letters d
          WHERE d.id = f.key OR json_extract(d.body, '$.id') = f.key)) AS oldest_unprocessed_at,
    ${outbox}`;
}

type HealthRow = {
  dead_letter_count: number;
  oldest_unprocessed_at: number | null;
  unsent_count: number;
  oldest_unsent_at: number | null;
};

const ageOf = (at: number | null, now: number) => (at === null ? null : Math.max(0, now - at));

/**
 * A service's answer to the gateway's health check: whether its database answers and, when it does,
 * its outbox backlog, dead letters and oldest waiting inbox message. Read at the primary, where the
 * relay and the consumers write. What went wrong is logged, never answered.
 */
export async function checkHealth(
  service: Service,
  d1: D1Database,
  options: { producer: boolean },
  now = Date.now(),
): Promise<Health> {
  try {
    const row = await d1.prepare(healthQuery(options.producer)).first<HealthRow>();
    if (!row) throw new Error("the health query returned no row");
    return {
      service,
      database: "ok",
      details: {
        unsentEvents: row.unsent_count,
        oldestUnsentAgeMs: ageOf(row.oldest_unsent_at, now),
        deadLetters: row.dead_letter_count,
        oldestUnprocessedAgeMs: ageOf(row.oldest_unprocessed_at, now),
      },
    };
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        message: "health check failed",
        service,
        error: describeError(error),
      }),
    );
    return { service, database: "down" };
  }
}

/** When a service counts as degraded: an outbox row unsent, or an inbox message waiting, for longer. */
export type HealthThresholds = { stuckMs: number; lagMs: number };

/** Five minutes for both, as docs/OPERATIONS.md sets them for production. */
export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = { stuckMs: 300_000, lagMs: 300_000 };

/**
 * A service's status from its answer: down when its database does not answer; degraded when a dead
 * letter exists, its outbox is stuck, or its inbox lags past the thresholds; else ok.
 */
export function judgeHealth(health: Health, thresholds: HealthThresholds): HealthStatus {
  if (health.database === "down") return "down";
  const details = health.details;
  if (!details) return health.database === "none" ? "ok" : "down";
  const degraded =
    details.deadLetters > 0 ||
    (details.oldestUnsentAgeMs ?? 0) > thresholds.stuckMs ||
    (details.oldestUnprocessedAgeMs ?? 0) > thresholds.lagMs;
  return degraded ? "degraded" : "ok";
}

/** The status of the whole: the worst of its parts. */
export function overallHealth(statuses: readonly HealthStatus[]): HealthStatus {
  if (statuses.includes("down")) return "down";
  return statuses.includes("degraded") ? "degraded" : "ok";
}
