import { type CallContext, errorStatus, TRACEPARENT } from "@flock/contracts";

/**
 * What a span is a unit of: a gateway route, an RPC method, a queue batch, one event applied from
 * it, a cron run, a live push, the relay of a write's outbox rows.
 */
export type SpanKind = "route" | "rpc" | "consumer" | "event" | "cron" | "push" | "relay";

/** One unit of work in a trace (W3C Trace Context ids, lower-case hex). */
export type Span = {
  traceId: string;
  spanId: string;
  parentId: string | null;
  /** The trace flags the span passes on (sampled: "01"). */
  flags: string;
  /** Low-cardinality: a route pattern, `<service>.<method>`, a queue name; never an id. */
  name: string;
  service: string;
  kind: SpanKind;
  /** Epoch milliseconds. */
  start: number;
  requestId?: string;
  /** Where the span's data point goes (the METRICS binding), when the worker has one. */
  metrics?: AnalyticsEngineDataset;
};

/** What a span's line and data point carry besides its ids and duration; each optional. */
export type SpanFields = {
  status?: number;
  queue?: string;
  /** Messages in a consumer batch. */
  messages?: number;
  applied?: number;
  retried?: number;
  duplicates?: number;
  deadLettered?: number;
  /** How long the oldest message of a batch waited before it was consumed. */
  oldestAgeMs?: number;
  outboxUnsent?: number;
  outboxOldestAgeMs?: number;
  /** The consumer span an event span was applied in (a batch mixes traces, so it is not its parent). */
  batch?: string;
  /** Events relayed, or sockets a push reached. */
  sent?: number;
};

/** A traceparent header's parts, once checked. */
export type TraceParent = { traceId: string; parentId: string; flags: string };

const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/**
 * Reads a W3C traceparent (`00-<32 hex>-<16 hex>-<2 hex>`). Anything else (another version, upper
 * case, all-zero ids, garbage) is treated as absent: the caller starts a new trace.
 */
export function parseTraceparent(value: string | null | undefined): TraceParent | null {
  if (!value || !TRACEPARENT.test(value)) return null;
  const traceId = value.slice(3, 35);
  const parentId = value.slice(36, 52);
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return null;
  return { traceId, parentId, flags: value.slice(53, 55) };
}

/** A span as the traceparent its children are given. */
export function formatTraceparent(span: Pick<Span, "traceId" | "spanId" | "flags">): string {
  return `00-${span.traceId}-${span.spanId}-${span.flags}`;
}

function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  let hex = "";
  for (const value of values) hex += value.toString(16).padStart(2, "0");
  return hex;
}

/**
 * Opens a span: a child of `parent` (a traceparent) when it is a valid one, else the root of a new
 * trace.
 */
export function startSpan(options: {
  parent?: string | null;
  name: string;
  service: string;
  kind: SpanKind;
  requestId?: string;
  metrics?: AnalyticsEngineDataset | undefined;
}): Span {
  const parent = parseTraceparent(options.parent);
  let spanId = randomHex(8);
  // A random id is all zeros once in 2^64; the spec forbids that id.
  if (spanId === ZERO_SPAN) spanId = randomHex(8);
  return {
    traceId: parent?.traceId ?? randomHex(16),
    spanId,
    parentId: parent?.parentId ?? null,
    flags: parent?.flags ?? "01",
    name: options.name,
    service: options.service,
    kind: options.kind,
    start: Date.now(),
    ...(options.requestId ? { requestId: options.requestId } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
}

/** "2xx" ... "5xx" for a status, "" without one. */
export function statusClass(status: number | undefined): string {
  return status === undefined ? "" : `${Math.floor(status / 100)}xx`;
}

/**
 * Closes a span: one structured log line (console.log when ok, console.error when not), and one
 * Analytics Engine data point when the span has a METRICS binding. The line carries every field of
 * the data point, so a local run's log is the local store of its metrics (docs/OPERATIONS.md).
 */
export function endSpan(span: Span, outcome: "ok" | "error", fields: SpanFields = {}): void {
  const ms = Math.round((Date.now() - span.start) * 10) / 10;
  const line = JSON.stringify({
    span: span.name,
    kind: span.kind,
    service: span.service,
    trace: span.traceId,
    id: span.spanId,
    parent: span.parentId,
    ms,
    outcome,
    ...fields,
    ...(span.requestId ? { requestId: span.requestId } : {}),
    // When it started (epoch ms): a local log has no other clock (npm run stats --since).
    at: span.start,
  });
  if (outcome === "ok") console.log(line);
  else console.error(line);
  if (!span.metrics) return;
  try {
    // Layout: docs/OPERATIONS.md "Metrics". Positions are the schema: only ever append.
    span.metrics.writeDataPoint({
      indexes: [span.service],
      blobs: [
        span.kind,
        span.service,
        span.name,
        outcome,
        statusClass(fields.status),
        fields.queue ?? "",
        span.traceId,
      ],
      doubles: [
        ms,
        fields.status ?? 0,
        fields.messages ?? 0,
        fields.retried ?? 0,
        fields.deadLettered ?? 0,
        fields.oldestAgeMs ?? 0,
        fields.outboxUnsent ?? 0,
        fields.outboxOldestAgeMs ?? 0,
      ],
    });
  } catch {
    // A metrics write never fails the work it measures; the line above has the figures.
  }
}

/** An RPC answer's status for its span (200, or its error's), and whether it failed (a 5xx). */
function answered(result: unknown): { outcome: "ok" | "error"; status: number } {
  if (typeof result !== "object" || result === null || !("ok" in result) || result.ok) {
    return { outcome: "ok", status: 200 };
  }
  const code = (result as { error?: { code?: string } }).error?.code;
  const status = (code && errorStatus[code as keyof typeof errorStatus]) || 500;
  return { outcome: status >= 500 ? "error" : "ok", status };
}

type Entrypoint = abstract new (...args: never[]) => object;

/**
 * Gives each RPC method of a service's entrypoint class an `rpc` span, named `<service>.<method>`
 * and a child of the caller's `ctx.traceparent` (the first argument), and hands the method a ctx
 * whose traceparent is that span: the calls it makes and the events it writes are its children.
 * It patches the class in place, once, beside its declaration; a method that takes no call context
 * (health) is left as it is. `kinds` names methods that are some other kind of span (a push).
 */
export function traceEntrypoint(
  entrypoint: Entrypoint,
  service: string,
  kinds: Record<string, SpanKind> = {},
): void {
  const prototype = entrypoint.prototype as Record<string, unknown>;
  for (const method of Object.getOwnPropertyNames(prototype)) {
    const real = prototype[method];
    if (method === "constructor" || method === "fetch" || typeof real !== "function") continue;
    Object.defineProperty(prototype, method, {
      configurable: true,
      writable: true,
      value(this: object, ...args: unknown[]) {
        const [ctx, ...rest] = args;
        if (!isCallContext(ctx)) return Reflect.apply(real, this, args);
        // The entrypoint's env is a protected field of WorkerEntrypoint.
        const env = Reflect.get(this, "env") as { METRICS?: AnalyticsEngineDataset } | undefined;
        const span = startSpan({
          parent: ctx.traceparent,
          name: `${service}.${method}`,
          service,
          kind: kinds[method] ?? "rpc",
          requestId: ctx.requestId,
          metrics: env?.METRICS,
        });
        const traced = { ...ctx, traceparent: formatTraceparent(span) };
        return Promise.resolve(Reflect.apply(real, this, [traced, ...rest])).then(
          (result: unknown) => {
            const { outcome, status } = answered(result);
            endSpan(span, outcome, { status });
            return result;
          },
          (error: unknown) => {
            endSpan(span, "error", { status: 500 });
            throw error;
          },
        );
      },
    });
  }
}

function isCallContext(value: unknown): value is CallContext {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { requestId?: unknown }).requestId === "string"
  );
}
