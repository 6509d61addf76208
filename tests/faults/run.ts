// `npm run test:faults`: seeded runs of a mixed workload through the public gateway while faults are
// injected, then a wait until every outbox is drained and every inbox is quiet, then the invariants.
// One row per run; the last line is `<runs> runs, <n> invariant violations`. Exits 1 on any violation
// or on any 500 (a 503 from an injected outage is the gateway doing its job).
//
//   npm run test:faults                     3 runs (the CI count)
//   npm run test:faults -- --runs 20        more
//   npm run test:faults -- --seed 7         replay one run: the seed fixes the workload and the faults
import { parseArgs } from "node:util";
import { startTestFlock } from "../../scripts/test-flock.ts";
import { workers } from "../../scripts/workers.ts";
import { checkInvariants, type Database, drain, type Sql } from "./invariants.ts";
import { gatewayHttp, runWorkload } from "./workload.ts";

process.env.WRANGLER_LOG ??= "error";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

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

/**
 * The faults of a run, chosen by its seed so that a run can be replayed: queue sends that fail (the
 * cron relay must resend), every message delivered twice, consumers that throw, D1 statements that
 * fail, and the users service failing behind its binding.
 */
function planFor(seed: number) {
  const kinds = [
    { queueSendFailure: 0.3, duplicateDelivery: true },
    { consumerFailure: 0.25, duplicateDelivery: true },
    {
      d1Failure: { match: "processed_events", rate: 0.2 },
      serviceFailure: { binding: "USERS", rate: 0.15, stallMs: 0 },
    },
    {
      queueSendFailure: 0.1,
      consumerFailure: 0.1,
      duplicateDelivery: true,
      d1Failure: { match: "timeline_entries", rate: 0.1 },
      serviceFailure: { binding: "POSTS", rate: 0.05, stallMs: 0 },
    },
  ];
  return { seed, retryDelaySeconds: 0, ...kinds[seed % kinds.length] };
}

/** Poison sent straight to each inbox: it must end in that service's dead_letters, all of it. */
const POISON_PER_INBOX = 2;
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
  const plan = flags["no-faults"] ? null : planFor(seed);
  // Every worker runs its test entry, which injects the faults of the plan it is given.
  const planVars: Record<string, string> = plan ? { FAULTS: JSON.stringify(plan) } : {};
  const server = await startTestFlock(
    Object.fromEntries(
      workers.map((worker) => [
        worker.name,
        worker.name === "flock-gateway" ? { ...planVars, JWT_SECRET: SECRET } : planVars,
      ]),
    ),
  );
  const { url } = await server.listen();
  const databases = {} as Record<Database, DbHandle>;
  for (const worker of workers) {
    if (!worker.database) continue;
    const env = (await server.getWorker(worker.name).getEnv()) as { DB: DbHandle };
    databases[worker.database.replace("-db", "") as Database] = env.DB;
  }
  const sql: Sql = async (database, query) =>
    (await databases[database].prepare(query).all()).results;

  const internalErrors: Array<{ route: string; requestId: string }> = [];
  const http = gatewayHttp(url.origin);
  const result = await runWorkload(
    async (method, route, token, body, headers) => {
      const reply = await http(method, route, token, body, headers);
      if (reply.status === 500) {
        const requestId = (reply.body as { requestId?: string } | null)?.requestId ?? "";
        internalErrors.push({ route: `${method} ${route}`, requestId });
      }
      return reply;
    },
    { seed, steps: Number(flags.steps), people: Number(flags.people), tag: String(seed) },
  );
  for (const worker of workers) {
    if (!worker.database) continue;
    const inbox = `${worker.database.replace("-db", "").toUpperCase()}_INBOX`;
    const env = (await server.getWorker(worker.name).getEnv()) as Record<
      string,
      { send(body: unknown): Promise<void> }
    >;
    for (let i = 0; i < POISON_PER_INBOX; i++) await env[inbox]?.send({ poison: true, seed, i });
  }
  // The crons are the relays of last resort: tick them while waiting, as the minute trigger would.
  const tick = async () => {
    for (const worker of workers)
      if (worker.database) await server.getWorker(worker.name).scheduled({ cron: "* * * * *" });
  };
  await drain(sql, 90_000, tick);
  const violations = await checkInvariants(sql, { celebrityFollowers: CELEBRITY_FOLLOWERS });
  const poison = (
    await Promise.all(
      (["users", "posts", "comments", "notifications"] as const).map((db) =>
        sql(db, "SELECT count(*) AS n FROM dead_letters WHERE body LIKE '%\"poison\":true%'"),
      ),
    )
  ).map((rows) => Number(rows[0]?.n ?? 0));
  if (poison.some((n) => n !== POISON_PER_INBOX)) {
    violations.push({
      invariant: "every injected poison message is kept as a dead letter",
      detail: { users: poison[0], posts: poison[1], comments: poison[2], notifications: poison[3] },
    });
  }
  // A 500 is a bug: show what the workers logged for it.
  const logs = server
    .getLogs()
    .map((entry) => String((entry as { message?: unknown }).message ?? ""));
  for (const { route, requestId } of internalErrors) {
    console.log(
      `  500 on ${route}: ${logs.find((line) => line.includes(requestId) && line.includes('"level":"error"'))?.slice(0, 400)}`,
    );
  }
  await server.close();

  const internal = Object.entries(result.byStatus)
    .filter(([status]) => status === "500")
    .reduce((sum, [, n]) => sum + n, 0);
  totalViolations += violations.length;
  totalServerErrors += internal;
  const statuses = Object.entries(result.byStatus)
    .map(([status, n]) => `${status}:${n}`)
    .join(" ");
  const faults = plan
    ? Object.keys(plan)
        .filter((key) => key !== "seed" && key !== "retryDelaySeconds")
        .join("+")
    : "none";
  console.log(
    `run seed=${seed} faults=${faults} requests=${result.requests} [${statuses}] 500s=${internal} violations=${violations.length} ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  for (const violation of violations)
    console.log(`  ✗ ${violation.invariant}: ${JSON.stringify(violation.detail)}`);
}
console.log(`${seeds.length} runs, ${totalViolations} invariant violations`);
process.exit(totalViolations > 0 || totalServerErrors > 0 ? 1 : 0);
