// `npm run soak`: a mixed workload from a separate process against a running `npm start` for a set
// time (default 2 minutes), then, once the mesh has drained, the same invariants as the fault runs,
// read from the local databases. Prints the request count, throughput and status counts.
//
//   npm start            (in another terminal)
//   npm run soak -- --seconds 120 --clients 4 --url http://localhost:8787
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { checkInvariants, type Database, drain, type Sql } from "../tests/faults/invariants.ts";
import { gatewayHttp, runWorkload, type WorkloadResult } from "../tests/faults/workload.ts";
import { d1Execute } from "./d1.ts";
import { roleChange } from "./moderator.ts";
import { quietEnv } from "./run.ts";
import { workers } from "./workers.ts";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "120" },
    clients: { type: "string", default: "4" },
    url: { type: "string", default: process.env.FLOCK_URL ?? "http://localhost:8787" },
    seed: { type: "string", default: String(Date.now() % 100000) },
  },
});
const base = flags.url.replace(/\/$/, "");
const until = Date.now() + Number(flags.seconds) * 1000;

const sql: Sql = async (database: Database, query: string) => {
  const worker = workers.find((w) => w.database === `${database}-db`);
  if (!worker?.database) throw new Error(`no database ${database}`);
  const out = execFileSync(
    "wrangler",
    [
      "d1",
      "execute",
      worker.database,
      "--local",
      "--persist-to",
      ".wrangler/state",
      "-c",
      worker.config,
      "--json",
      "--command",
      query,
    ],
    { env: quietEnv, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  return (JSON.parse(out) as Array<{ results: Array<Record<string, unknown>> }>).flatMap(
    (result) => result.results,
  );
};

// Every request the soak sends, by status, setup included: what `npm run stats` should find in the
// gateway's route spans for the same run.
const sent: Record<string, number> = {};
const gateway = gatewayHttp(base);
const http: typeof gateway = async (...args) => {
  const reply = await gateway(...args);
  sent[reply.status] = (sent[reply.status] ?? 0) + 1;
  return reply;
};

const started = Date.now();
const totals: Pick<WorkloadResult, "requests" | "serverErrors" | "byStatus"> = {
  requests: 0,
  serverErrors: 0,
  byStatus: {},
};
let round = 0;
await Promise.all(
  Array.from({ length: Number(flags.clients) }, async (_, client) => {
    while (Date.now() < until) {
      round += 1;
      const result = await runWorkload(http, {
        seed: Number(flags.seed) * 1000 + round,
        steps: 100,
        clients: 1,
        people: 6,
        tag: `s${flags.seed}_${client}_${round}`,
        // `npm start`'s gateway keeps a session for up to a minute (SESSION_RECHECK_MS).
        sessionWindowMs: 60_000,
        keepBookmarks: true,
        async grantModerator(handle) {
          d1Execute(
            { database: "users-db", config: "workers/users/wrangler.toml", remote: false },
            roleChange(handle, "moderator", "soak").join(";\n"),
          );
        },
      });
      totals.requests += result.requests;
      totals.serverErrors += result.serverErrors;
      for (const [status, n] of Object.entries(result.byStatus))
        totals.byStatus[status] = (totals.byStatus[status] ?? 0) + n;
    }
  }),
);
const seconds = (Date.now() - started) / 1000;
console.log(
  `soak: ${totals.requests} requests in ${seconds.toFixed(0)} s (${(totals.requests / seconds).toFixed(1)} req/s), 5xx: ${totals.serverErrors}`,
);
console.log(`statuses: ${JSON.stringify(totals.byStatus)}`);
const all = Object.values(sent).reduce((total, n) => total + n, 0);
console.log(`gateway requests sent (setup included): ${all}, by status: ${JSON.stringify(sent)}`);
await drain(sql, 120_000);
const violations = await checkInvariants(sql, { celebrityFollowers: 10_000, poisonPerInbox: 0 });
for (const violation of violations)
  console.log(`  ✗ ${violation.invariant}: ${JSON.stringify(violation.detail)}`);
console.log(`1 soak, ${violations.length} invariant violations, ${totals.serverErrors} 5xx`);
process.exit(violations.length > 0 || totals.serverErrors > 0 ? 1 : 0);
