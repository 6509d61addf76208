// The operations page's figures in a local run: what production asks Analytics Engine for
// (workers/gateway/src/figures.ts), computed from the span lines of the run's log instead, and
// served on loopback to the gateway (LOCAL_FIGURES_URL) by `npm start` and the test runners.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { LatencyFigures, OperationsFigures, QueueFigures } from "@flock/contracts";
import { type SpanLine, spansIn } from "./spans.ts";

/** The nearest-rank percentile of some numbers (0 for none). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
  );
}

function grouped(spans: SpanLine[], key: (span: SpanLine) => string): Map<string, SpanLine[]> {
  const groups = new Map<string, SpanLine[]>();
  for (const span of spans) groups.set(key(span), [...(groups.get(key(span)) ?? []), span]);
  return groups;
}

function latency(name: string, group: SpanLine[]): LatencyFigures {
  const status = (span: SpanLine) => span.status ?? (span.outcome === "error" ? 500 : 200);
  const ms = group.map((span) => span.ms);
  return {
    name,
    count: group.length,
    clientErrors: group.filter((span) => status(span) >= 400 && status(span) < 500).length,
    serverErrors: group.filter((span) => status(span) >= 500).length,
    p50Ms: percentile(ms, 50),
    p99Ms: percentile(ms, 99),
  };
}

const sum = (group: SpanLine[], field: (span: SpanLine) => number | undefined) =>
  group.reduce((total, span) => total + (field(span) ?? 0), 0);

function queue(name: string, group: SpanLine[]): QueueFigures {
  const ages = group.map((span) => span.oldestAgeMs ?? 0);
  return {
    queue: name,
    consumed: sum(group, (span) => span.messages),
    retried: sum(group, (span) => span.retried),
    deadLettered: sum(group, (span) => span.deadLettered),
    oldestAgeP50Ms: percentile(ages, 50),
    oldestAgeMaxMs: Math.max(0, ...ages),
  };
}

/** The figures of the spans that started in the last `minutes`, busiest first, as production's. */
export function figuresOf(spans: SpanLine[], minutes: number, now = Date.now()): OperationsFigures {
  const recent = spans.filter((span) => span.at >= now - minutes * 60_000);
  const of = (kind: SpanLine["kind"]) => recent.filter((span) => span.kind === kind);
  const busiest = (a: { count?: number; consumed?: number }, b: typeof a) =>
    (b.count ?? b.consumed ?? 0) - (a.count ?? a.consumed ?? 0);
  return {
    source: "local-log",
    minutes,
    routes: [...grouped(of("route"), (span) => span.span)]
      .map(([name, group]) => latency(name, group))
      .sort(busiest),
    methods: [...grouped(of("rpc"), (span) => span.span)]
      .map(([name, group]) => latency(name, group))
      .sort(busiest),
    queues: [...grouped(of("consumer"), (span) => span.queue ?? span.span)]
      .map(([name, group]) => queue(name, group))
      .sort(busiest),
  };
}

/**
 * Serves `GET /?minutes=N` on a free loopback port: the figures of `log` as it is at each request.
 * Resolves with the URL the gateway is given and a close().
 */
export function serveFigures(log: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const minutes = Number(
      new URL(request.url ?? "/", "http://localhost").searchParams.get("minutes"),
    );
    let text = "";
    try {
      text = readFileSync(log, "utf8");
    } catch {
      // No log yet: no figures yet.
    }
    const body = JSON.stringify(
      figuresOf(spansIn(text), Number.isInteger(minutes) && minutes > 0 ? minutes : 60),
    );
    response.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (typeof address !== "object" || !address) return reject(new Error("no port"));
      resolve({
        url: `http://127.0.0.1:${address.port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
