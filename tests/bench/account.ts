// `node tests/bench/account.ts`: where a compose's CPU goes in the mesh, next to a feed read's. It
// starts the mesh as the benchmark does (the quick graph: 1,000 users), drives each route alone for
// a few seconds, and reads workerd's CPU time from /proc: during the load (the requests, and what
// runs beside them) and after it until workerd is quiet again (the relays, consumers and fan-out
// the writes left behind). It also counts, per service, the events each inbox applied and the outbox
// rows each service wrote and sent, so what the queue work is made of shows beside its cost.
//
// wrangler's test harness has no inspector port, so this accounts for CPU by phase rather than by
// function; run it before and after a change to see what the change took away.
import { workers } from "../../scripts/workers.ts";
import { socialGraph } from "./graph.ts";
import { load, type Route } from "./load.ts";
import { descendantsCpuMs, settle } from "./settle.ts";
import { log, mesh, startTarget, token } from "./targets.ts";

process.env.WRANGLER_LOG ??= "warn";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

const SECONDS = Number(process.env.ACCOUNT_SECONDS ?? 4);
const CONNECTIONS = 30;

/** CPU time (ms) the workerd processes this one started have used so far. */
const workerdCpuMs = () => descendantsCpuMs("workerd") ?? 0;

const graph = socialGraph(1000, 3);
const readers = graph.users.slice(0, 100);
const tokens = await Promise.all(readers.map(token));
const running = await startTarget(mesh, graph, tokens);

type Counts = Record<string, Record<string, number>>;
type CountingDb = {
  prepare(sql: string): { all(): Promise<{ results: Array<{ k: string; n: number }> }> };
};
async function counts(): Promise<Counts> {
  const result: Counts = {};
  for (const worker of workers) {
    if (!worker.database) continue;
    const { DB } = (await running.server.getWorker(worker.name).getEnv()) as { DB: CountingDb };
    const rows = async (sql: string) => (await DB.prepare(sql).all()).results;
    const service = worker.name.replace("flock-", "");
    const own: Record<string, number> = {};
    for (const row of await rows(
      "SELECT type AS k, count(*) AS n FROM processed_events GROUP BY type",
    ))
      own[`applied ${row.k}`] = row.n;
    try {
      for (const row of await rows(
        "SELECT type || (CASE WHEN sent_at IS NULL THEN ' unsent' ELSE ' sent' END) AS k, count(*) AS n FROM outbox GROUP BY k",
      ))
        own[`outbox ${row.k}`] = row.n;
    } catch {
      // A service without an outbox (notifications).
    }
    result[service] = own;
  }
  return result;
}

function difference(after: Counts, before: Counts): Counts {
  const result: Counts = {};
  for (const [service, own] of Object.entries(after)) {
    const changed: Record<string, number> = {};
    for (const [key, n] of Object.entries(own)) {
      const delta = n - (before[service]?.[key] ?? 0);
      if (delta !== 0) changed[key] = delta;
    }
    result[service] = changed;
  }
  return result;
}

const routes: Route[] = [
  {
    name: "home feed",
    connections: CONNECTIONS,
    method: "GET",
    paths: readers.map(() => "/v1/feed?limit=10"),
    tokens,
  },
  {
    name: "compose post",
    connections: CONNECTIONS,
    method: "POST",
    paths: readers.map(() => "/v1/posts"),
    tokens,
    body: JSON.stringify({ body: "Benchmarking the mesh, post {n}", tags: ["bench"] }),
  },
];

const report: Record<string, unknown> = {};
for (const route of routes) {
  await settle(60_000);
  const before = await counts();
  const start = workerdCpuMs();
  const [result] = await load("mesh", { url: running.origin, duration: SECONDS, routes: [route] });
  const during = workerdCpuMs() - start;
  const quietFrom = Date.now();
  await settle(180_000);
  const after = workerdCpuMs() - start - during;
  const work = difference(await counts(), before);
  // Answers still in flight when the load ends are served after it: count the posts written instead.
  const written = work.posts?.["outbox post.created sent"] ?? 0;
  const served = Math.max(written, Math.round((result?.throughput ?? 0) * SECONDS));
  report[route.name] = {
    served,
    throughput: result?.throughput,
    p50: result?.p50,
    cpuMsDuringLoad: during,
    cpuMsAfterLoad: after,
    secondsUntilQuiet: (Date.now() - quietFrom) / 1000,
    cpuMsPerRequest: {
      duringLoad: Math.round(during / served),
      afterLoad: Math.round(after / served),
      total: Math.round((during + after) / served),
    },
    work,
  };
  log(`${route.name}: ${JSON.stringify(report[route.name], null, 1)}`);
}
console.log(JSON.stringify(report, null, 2));
await running.server.close();
