import { z } from "zod";

const Count = z.number().int().nonnegative();

/** A route's or an RPC method's figures over a window: how many, how many failed, how fast. */
export const LatencyFigures = z
  .object({
    /** A route pattern (`POST /v1/posts`) or `<service>.<method>`. */
    name: z.string(),
    count: Count,
    /** Answered 4xx (routes only; an RPC method's refusals are its callers' 4xx). */
    clientErrors: Count,
    /** Answered 5xx, or failed (an RPC method). */
    serverErrors: Count,
    p50Ms: z.number().nonnegative(),
    p99Ms: z.number().nonnegative(),
  })
  .meta({ id: "LatencyFigures" });
export type LatencyFigures = z.infer<typeof LatencyFigures>;

/** One queue's consumption over a window, and how long its oldest messages waited. */
export const QueueFigures = z
  .object({
    queue: z.string(),
    consumed: Count,
    retried: Count,
    deadLettered: Count,
    /** The median, over its batches, of how long a batch's oldest message waited. */
    oldestAgeP50Ms: z.number().nonnegative(),
    oldestAgeMaxMs: z.number().nonnegative(),
  })
  .meta({ id: "QueueFigures" });
export type QueueFigures = z.infer<typeof QueueFigures>;

/**
 * The figures of the last `minutes`, from the span data points (docs/OPERATIONS.md "Metrics"):
 * Analytics Engine in production, the local run's span lines locally.
 */
export const OperationsFigures = z
  .object({
    source: z.enum(["analytics-engine", "local-log"]),
    minutes: z.number().int().positive(),
    routes: z.array(LatencyFigures),
    methods: z.array(LatencyFigures),
    queues: z.array(QueueFigures),
  })
  .meta({ id: "OperationsFigures" });
export type OperationsFigures = z.infer<typeof OperationsFigures>;

/** `?minutes=`: the window of the figures, an hour unless asked, a day at most. */
export const FiguresQuery = z.object({
  minutes: z.coerce.number().int().min(1).max(1440).default(60),
});
