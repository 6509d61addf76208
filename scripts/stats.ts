// `npm run stats`: what a local run recorded, from the span lines in its log (the local store of the
// data points production sends to Analytics Engine; docs/OPERATIONS.md "Metrics"): per route and per
// RPC method the count, error rates and p50/p99 durations; per queue the messages consumed, retried
// and dead-lettered and the age of the oldest message at consumption; the outbox backlog per service
// from each service's last cron run.
//
//   npm run stats                         the last run of `npm start` (.wrangler/logs/flock.log)
//   npm run stats -- --since 10           the last 10 minutes of the log, whatever the run
//   npm run stats -- --log other.log      another log (local-flock's, a saved one)
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { percentile } from "./figures.ts";
import { RUN_MARKER, type SpanLine, spansIn } from "./spans.ts";

const { values: flags } = parseArgs({
  options: {
    log: { type: "string", default: ".wrangler/logs/flock.log" },
    since: { type: "string" },
  },
});

if (!existsSync(flags.log)) {
  console.error(`no log at ${flags.log}: run \`npm start\` (it writes one), or pass --log <file>`);
  process.exit(1);
}
let text = readFileSync(flags.log, "utf8");
let scope = `the last run in ${flags.log}`;
if (flags.since === undefined) {
  const last = text.lastIndexOf(RUN_MARKER);
  if (last >= 0) text = text.slice(last);
  else scope = flags.log;
}
let spans = spansIn(text);
if (flags.since !== undefined) {
  const minutes = Number(flags.since);
  if (!Number.isFinite(minutes) || minutes <= 0) {
    console.error("--since takes a number of minutes");
    process.exit(1);
  }
  const from = Date.now() - minutes * 60_000;
  spans = spans.filter((span) => span.at >= from);
  scope = `the last ${minutes} min of ${flags.log}`;
}

const percent = (part: number, whole: number) =>
  whole === 0 ? "0.0%" : `${((100 * part) / whole).toFixed(1)}%`;

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

function table(title: string, header: string[], rows: Array<Array<string | number>>): void {
  if (rows.length === 0) return;
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) =>
    Math.max(...cells.map((row) => row[column]?.length ?? 0)),
  );
  console.log(`\n${title}`);
  for (const row of cells)
    console.log(
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join("  "),
    );
}

/** Count, 5xx and 4xx shares and p50/p99 of a group of spans with statuses. */
function latencyRow(name: string, group: SpanLine[]): Array<string | number> {
  const status = (span: SpanLine) => span.status ?? (span.outcome === "error" ? 500 : 200);
  const ms = group.map((span) => span.ms);
  return [
    name,
    group.length,
    percent(group.filter((span) => status(span) >= 500).length, group.length),
    percent(group.filter((span) => status(span) >= 400 && status(span) < 500).length, group.length),
    percentile(ms, 50),
    percentile(ms, 99),
  ];
}

const of = (kind: SpanLine["kind"]) => spans.filter((span) => span.kind === kind);
console.log(`flock stats: ${spans.length} span lines from ${scope}`);

const routes = of("route");
const latencyHeader = ["", "count", "5xx", "4xx", "p50 ms", "p99 ms"];
table(
  "Routes (gateway route spans)",
  ["route", ...latencyHeader.slice(1)],
  [
    ...[...groupBy(routes, (span) => span.span)].map(([name, group]) => latencyRow(name, group)),
    latencyRow("all routes", routes),
  ],
);
const statuses: Record<string, number> = {};
for (const span of routes) statuses[String(span.status)] = (statuses[String(span.status)] ?? 0) + 1;
if (routes.length > 0) console.log(`statuses: ${JSON.stringify(statuses)}`);

table(
  "RPC methods",
  ["method", ...latencyHeader.slice(1)],
  [...groupBy(of("rpc"), (span) => span.span)].map(([name, group]) => latencyRow(name, group)),
);
table(
  "Events applied, relays and pushes",
  ["span", "count", "errors", "p50 ms", "p99 ms"],
  [
    ...groupBy(
      [...of("event"), ...of("relay"), ...of("push")],
      (span) => `${span.kind} ${span.span}`,
    ),
  ].map(([name, group]) => [
    name,
    group.length,
    percent(group.filter((span) => span.outcome === "error").length, group.length),
    percentile(
      group.map((span) => span.ms),
      50,
    ),
    percentile(
      group.map((span) => span.ms),
      99,
    ),
  ]),
);

const sum = (group: SpanLine[], field: (span: SpanLine) => number | undefined) =>
  group.reduce((total, span) => total + (field(span) ?? 0), 0);
table(
  "Queues (consumer batches; age = the oldest message's wait at consumption)",
  [
    "queue",
    "batches",
    "messages",
    "applied",
    "retried",
    "duplicates",
    "dead-lettered",
    "age p50 ms",
    "age max ms",
  ],
  [...groupBy(of("consumer"), (span) => span.queue ?? span.span)].map(([queue, group]) => {
    const ages = group.map((span) => span.oldestAgeMs ?? 0);
    return [
      queue,
      group.length,
      sum(group, (span) => span.messages),
      sum(group, (span) => span.applied),
      sum(group, (span) => span.retried),
      sum(group, (span) => span.duplicates),
      sum(group, (span) => span.deadLettered),
      percentile(ages, 50),
      Math.max(0, ...ages),
    ];
  }),
);

table(
  "Outbox backlog (each service's last cron run)",
  ["service", "unsent", "oldest unsent ms", "cron at"],
  [...groupBy(of("cron"), (span) => span.service)]
    .filter(([, group]) => group.some((span) => span.outboxUnsent !== undefined))
    .map(([service, group]) => {
      const last = group.reduce((a, b) => (b.at > a.at ? b : a));
      return [
        service,
        last.outboxUnsent ?? 0,
        last.outboxOldestAgeMs ?? 0,
        new Date(last.at).toISOString(),
      ];
    }),
);
if (of("cron").length === 0)
  console.log(
    "\nOutbox backlog: no cron run in this log (wrangler dev does not run the services' crons; the harness and production do)",
  );
