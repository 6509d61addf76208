// `npm run test:faults`: seeded runs of a mixed workload through the public gateway while faults are
// injected, then a wait until every outbox is drained and every inbox is quiet, then the invariants.
// One row per run; the last line is `<runs> runs, <n> invariant violations`. Exits 1 on any violation
// or on any 500 (a 503 from an injected outage is the gateway doing its job).
//
//   npm run test:faults                     3 runs (the CI count)
//   npm run test:faults -- --runs 20        more
//   npm run test:faults -- --seed 7         replay one run: the seed fixes the workload and the faults
import path from "node:path";
import { parseArgs } from "node:util";
import { createTestHarness } from "wrangler";
import { devConfigs, workers } from "../../scripts/workers.ts";
import { checkInvariants, type Database, drain, type Sql } from "./invariants.ts";
import { runWorkload } from "./workload.ts";

process.env.WRANGLER_LOG ??= "error";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

const root = path.resolve(import.meta.dirname, "../..");
const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    seed: { type: "string" },
    steps: { type: "string", default: "160" },
    people: { type: "string", default: "8" },
    "no-faults": { type: "boolean" },
  },
});
const SECRET = "fault-test-secret-0123456789abcdef";
const CELEBRITY_FOLLOWERS = 10_000;
const seeds = flags.seed
  ? [Number(flags.seed)]
  : Array.from({ length: Number(flags.runs) }, (_, i) => i + 1);

type DbHandle = {
  prepare(query: string): { all(): Promise<{ results: Array<Record<string, unknown>> }> };
};

let totalViolations = 0;
let totalServerErrors = 0;
for (const seed of seeds) {
  const started = Date.now();
  const server = createTestHarness({
    root,
    workers: devConfigs.map((configPath, index) =>
      index === 0 ? { configPath, secrets: { JWT_SECRET: SECRET } } : { configPath },
    ),
  });
  const { url } = await server.listen();
  const databases = {} as Record<Database, DbHandle>;
  for (const worker of workers) {
    if (!worker.database) continue;
    await server.getWorker(worker.name).applyD1Migrations("DB");
    const env = (await server.getWorker(worker.name).getEnv()) as { DB: DbHandle };
    databases[worker.database.replace("-db", "") as Database] = env.DB;
  }
  const sql: Sql = async (database, query) =>
    (await databases[database].prepare(query).all()).results;

  const result = await runWorkload(
    async (method, route, token, body, headers) => {
      const response = await fetch(`${url.origin}${route}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
    },
    { seed, steps: Number(flags.steps), people: Number(flags.people), tag: String(seed) },
  );
  await drain(sql);
  const violations = await checkInvariants(sql, { celebrityFollowers: CELEBRITY_FOLLOWERS });
  await server.close();

  const internal = Object.entries(result.byStatus)
    .filter(([status]) => status === "500")
    .reduce((sum, [, n]) => sum + n, 0);
  totalViolations += violations.length;
  totalServerErrors += internal;
  const statuses = Object.entries(result.byStatus)
    .map(([status, n]) => `${status}:${n}`)
    .join(" ");
  console.log(
    `run seed=${seed} requests=${result.requests} [${statuses}] 500s=${internal} violations=${violations.length} ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  for (const violation of violations)
    console.log(`  ✗ ${violation.invariant}: ${JSON.stringify(violation.detail)}`);
}
console.log(`${seeds.length} runs, ${totalViolations} invariant violations`);
process.exit(totalViolations > 0 || totalServerErrors > 0 ? 1 : 0);
