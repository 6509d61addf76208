// `npm run bench:compare -- a.json b.json c.json`: the ratios of several `npm run bench -- --json`
// runs side by side, with how far apart their medians are (greatest / least; 1.10 is 10%), and the
// floor's req/s, so that whether runs agree is read off what they wrote, not typed by hand.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const KEYS = [
  "mesh_vs_monolith_throughput",
  "mesh_vs_monolith_p99",
  "mesh_vs_ceiling_throughput",
  "feed_vs_floor",
  "compose_vs_floor",
  "compose_vs_feed",
  "mesh_vs_monolith_read",
  "feed_p50_ratio_5000_vs_10",
  "celebrity_feed_p50_ratio_5000_vs_10",
  "compose_p99_ratio_50000_vs_10",
  "fanout_50000_seconds",
  "max_d1_queries_per_request",
] as const;

type Run = Partial<Record<(typeof KEYS)[number], number | null>> & {
  floor_routes?: Record<string, number>;
  routes?: { ceiling?: { throughput?: number } };
  settle?: { waitedSeconds: number; stillBusy: number };
  non2xx?: number;
  errors?: number;
};

const { positionals: files } = parseArgs({ allowPositionals: true });
if (files.length < 2) {
  process.stderr.write("usage: npm run bench:compare -- run1.json run2.json [run3.json ...]\n");
  process.exit(2);
}
const runs = files.map((file) => JSON.parse(readFileSync(file, "utf8")) as Run);
const row = (cells: unknown[]) => `| ${cells.map((cell) => cell ?? "").join(" | ")} |`;
const header = (first: string, extra: string[] = []) => [
  row([first, ...runs.map((_, i) => `run ${i + 1}`), ...extra]),
  row(["---", ...runs.map(() => "---:"), ...extra.map(() => "---:")]),
];

/** Greatest over least of the runs' values, when every run measured it. */
function apart(values: Array<number | null | undefined>): string {
  const known = values.filter((value): value is number => typeof value === "number" && value > 0);
  if (known.length !== values.length) return "";
  return (Math.max(...known) / Math.min(...known)).toFixed(2);
}

const lines = [
  ...header("key", ["greatest / least"]),
  ...KEYS.map((key) => {
    const values = runs.map((run) => run[key]);
    return row([`\`${key}\``, ...values, apart(values)]);
  }),
  "",
  ...header("floor req/s"),
  ...Object.keys(runs[0]?.floor_routes ?? {}).map((route) =>
    row([route, ...runs.map((run) => run.floor_routes?.[route])]),
  ),
  "",
  ...header("run figures"),
  row(["hello req/s (median)", ...runs.map((run) => run.routes?.ceiling?.throughput)]),
  row(["settle waited s", ...runs.map((run) => run.settle?.waitedSeconds)]),
  row(["still busy at the cap", ...runs.map((run) => run.settle?.stillBusy)]),
  row(["non-2xx", ...runs.map((run) => run.non2xx)]),
  row(["errors", ...runs.map((run) => run.errors)]),
];
process.stdout.write(`${lines.join("\n")}\n`);
