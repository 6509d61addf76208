// `npm run test:faults`: seeded runs of a mixed workload, sent through the public gateway by several
// concurrent clients while faults are injected, then a wait until every outbox is drained and every
// inbox is quiet, then the invariants. A run also fails when fewer writes of some kind succeeded than
// its floor (a workload that was refused everything proves nothing). One row per run, with each
// kind's successes and floor; the last line is `<runs> runs, <n> invariant violations`. Exits 1 on
// any violation or on any 500 (a 503 from an injected outage is the gateway doing its job).
//
//   npm run test:faults                     3 runs of 400 steps by 6 clients (the CI setting)
//   npm run test:faults -- --full           1,000 steps a run (about 1,200 requests)
//   npm run test:faults -- --runs 20        more runs; --steps N, --clients N, --people N
//   npm run test:faults -- --seed 7         replay one run: the seed fixes the faults and every
//                                           client's choices (not how the clients interleave)
//   npm run test:faults -- --replica-lag-ms 0    reads straight from the primaries, no lagging
//                                           replica (by default each database's reads go to a copy
//                                           trailing it by 250 ms, decision 0015); --replica-lag-writes N
//   npm run test:faults -- --drop-bookmarks the services ignore the clients' bookmarks: the run must
//                                           then report stale reads (the check can fail)
import { parseArgs } from "node:util";
import { roleChange } from "../../scripts/moderator.ts";
import { startTestFlock } from "../../scripts/test-flock.ts";
import { workers } from "../../scripts/workers.ts";
import {
  checkInvariants,
  checkReads,
  type Database,
  drain,
  type Sql,
  type Violation,
} from "./invariants.ts";
import { floors, gatewayHttp, runWorkload, writeKinds } from "./workload.ts";

process.env.WRANGLER_LOG ??= "error";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    seed: { type: "string" },
    steps: { type: "string" },
    full: { type: "boolean" },
    clients: { type: "string", default: "6" },
    people: { type: "string", default: "10" },
    "no-faults": { type: "boolean" },
    "replica-lag-ms": { type: "string", default: "250" },
    "replica-lag-writes": { type: "string", default: "0" },
    "drop-bookmarks": { type: "boolean" },
  },
});
/**
 * The lagging replica every service reads through (packages/testing/src/replica.ts), or none when
 * both lags are 0. Lagging by time, not only by writes, lets the copies catch up once the run
 * settles, so the settled reads and invariants see every write.
 */
const replica = {
  lagMs: Number(flags["replica-lag-ms"]),
  lagWrites: Number(flags["replica-lag-writes"]),
  dropBookmarks: flags["drop-bookmarks"] ?? false,
};
const replicaVars: Record<string, string> =
  replica.lagMs > 0 || replica.lagWrites > 0 ? { REPLICA: JSON.stringify(replica) } : {};
/** Steps a run in CI (3 runs in about 3 minutes on two shared cores), and with --full. */
const CI_STEPS = 400;
const FULL_STEPS = 1_000;
const steps = Number(flags.steps ?? (flags.full ? FULL_STEPS : CI_STEPS));
const clients = Number(flags.clients);
const SECRET = "fault-test-secret-0123456789abcdef";
/**
 * How long the gateway's isolates may trust a cached session (SESSION_RECHECK_MS): shortened from
 * production's 60 s so that a run can check, within its minutes, that no ended session's token is
 * accepted once the window has passed.
 */
const SESSION_WINDOW_MS = 1_000;

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
/** Each kind's successes over all runs: every kind must have some, however seldom a run drew it. */
const succeededInAll = Object.fromEntries(writeKinds.map((kind) => [kind, 0])) as Record<
  (typeof writeKinds)[number],
  number
>;
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
        worker.name === "flock-gateway"
          ? { ...planVars, JWT_SECRET: SECRET, SESSION_RECHECK_MS: String(SESSION_WINDOW_MS) }
          : { ...planVars, ...replicaVars },
      ]),
    ),
  );
  const { url } = await server.listen();
  const databases = {} as Record<Database, DbHandle>;
  let usersCopy: DbHandle | undefined;
  for (const worker of workers) {
    if (!worker.database) continue;
    const env = (await server.getWorker(worker.name).getEnv()) as {
      DB: DbHandle;
      DB_REPLICA?: DbHandle;
    };
    databases[worker.database.replace("-db", "") as Database] = env.DB;
    if (worker.database === "users-db") usersCopy = env.DB_REPLICA;
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
    {
      seed,
      steps,
      clients,
      people: Number(flags.people),
      tag: String(seed),
      sessionWindowMs: SESSION_WINDOW_MS,
      async grantModerator(handle) {
        // Straight into the database, as an operator would: into its copy too, which replays only
        // what went through the service.
        for (const statement of roleChange(handle, "moderator", "fault run")) {
          await databases.users.prepare(statement).all();
          await usersCopy?.prepare(statement).all();
        }
      },
      keepBookmarks: true,
    },
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
  const violations: Violation[] = [];
  try {
    // A longer run leaves more to retry: give the drain time in proportion, 90 s at the least.
    await drain(sql, Math.max(90_000, steps * 150), tick);
  } catch (error) {
    violations.push({ invariant: "the mesh drains", detail: String(error) });
  }
  const bucket = (
    (await server.getWorker("flock-media").getEnv()) as {
      BUCKET: {
        list(options: { cursor?: string }): Promise<{
          objects: Array<{ key: string }>;
          truncated: boolean;
          cursor?: string;
        }>;
      };
    }
  ).BUCKET;
  const objects: string[] = [];
  for (let cursor: string | undefined, more = true; more; ) {
    const listed = await bucket.list(cursor ? { cursor } : {});
    objects.push(...listed.objects.map((object) => object.key));
    more = listed.truncated;
    cursor = listed.cursor;
  }
  violations.push(
    ...(await checkInvariants(sql, {
      celebrityFollowers: CELEBRITY_FOLLOWERS,
      poisonPerInbox: POISON_PER_INBOX,
      objects,
    })),
  );
  const floor = floors(result.drawn);
  violations.push(
    ...(await checkReads(sql, (path, token) => http("GET", path, token), result.people)),
  );
  // Read-your-writes: each author read their new post back at once, by id and in their feed.
  for (const stale of result.staleReads)
    violations.push({ invariant: "an author reads their new post at once", detail: stale });
  if (result.readBacks === 0)
    violations.push({ invariant: "some posts are read back by their authors", detail: {} });
  // No ended session's token is accepted after the window: neither during the run (a write tried
  // with one) nor now, once every isolate has had the window to learn of the ending.
  for (const stale of result.staleAccepted)
    violations.push({
      invariant: "an ended session's token is refused after the window",
      detail: stale,
    });
  for (const session of result.ended) {
    // The run's injected outages go on after it settles: a 503 is asked again.
    let reply = await http("GET", "/v1/me", session.token);
    for (let retry = 0; reply.status === 503 && retry < 5; retry++)
      reply = await http("GET", "/v1/me", session.token);
    if (reply.status !== 401)
      violations.push({
        invariant: "an ended session's token is refused after the window",
        detail: { why: session.why, status: reply.status },
      });
  }
  if (result.ended.length === 0)
    violations.push({ invariant: "some sessions end during the run", detail: { ended: 0 } });
  for (const kind of writeKinds) {
    succeededInAll[kind] += result.succeeded[kind];
    if (result.succeeded[kind] < floor[kind])
      violations.push({
        invariant: `at least ${floor[kind]} ${kind} writes succeed`,
        detail: { succeeded: result.succeeded[kind], refused: result.refused[kind] },
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
  // Each kind of write as succeeded/floor.
  const writes = writeKinds
    .map((kind) => `${kind}:${result.succeeded[kind]}/${floor[kind]}`)
    .join(" ");
  const lag = replicaVars.REPLICA
    ? ` replica=${replica.lagMs}ms/${replica.lagWrites}w${replica.dropBookmarks ? " bookmarks-dropped" : ""}`
    : " replica=none";
  console.log(
    `run seed=${seed} faults=${faults}${lag} read-backs=${result.readBacks} stale-reads=${result.staleReads.length} clients=${clients} steps=${steps} races=${result.races} requests=${result.requests} [${statuses}] ended-sessions=${result.ended.length} writes=[${writes}] 500s=${internal} violations=${violations.length} ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  for (const violation of violations)
    console.log(`  ✗ ${violation.invariant}: ${JSON.stringify(violation.detail)}`);
}
for (const kind of writeKinds)
  if (succeededInAll[kind] === 0) {
    totalViolations += 1;
    console.log(`  ✗ some ${kind} writes succeed over all runs: none did`);
  }
console.log(`${seeds.length} runs, ${totalViolations} invariant violations`);
process.exit(totalViolations > 0 || totalServerErrors > 0 ? 1 : 0);
