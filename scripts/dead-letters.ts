// `npm run dead-letters`: inspect and replay events that exhausted their retries.
//
//   npm run dead-letters                     list the dead letters of every service (local state)
//   npm run dead-letters -- replay <id>...   mark some for replay; the service's next cron run (each
//                                            minute) re-sends them to its inbox and forgets them
//   npm run dead-letters -- replay --all     mark them all
//   add --remote to act on the deployed databases instead of .wrangler/state
import { parseArgs } from "node:util";
import { d1Execute, quote } from "./d1.ts";
import { workers } from "./workers.ts";

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { remote: { type: "boolean" }, all: { type: "boolean" } },
});
const [command = "list", ...ids] = positionals;

const d1 = (database: string, config: string, sql: string) =>
  d1Execute({ database, config, remote: flags.remote ?? false }, sql);

for (const worker of workers) {
  if (!worker.database) continue;
  if (command === "list") {
    const rows = d1(
      worker.database,
      worker.config,
      "SELECT id, queue, error, attempts, datetime(received_at / 1000, 'unixepoch') AS received, replay_requested, substr(body, 1, 120) AS body FROM dead_letters ORDER BY received_at",
    );
    console.log(`${worker.database}: ${rows.length} dead letter(s)`);
    for (const row of rows) console.log(`  ${JSON.stringify(row)}`);
  } else if (command === "replay") {
    if (!flags.all && ids.length === 0) throw new Error("name the ids to replay, or pass --all");
    const which = flags.all ? "" : ` WHERE id IN (${ids.map(quote).join(", ")})`;
    d1(worker.database, worker.config, `UPDATE dead_letters SET replay_requested = 1${which}`);
    console.log(`${worker.database}: marked for replay; the next cron run re-sends them`);
  } else {
    throw new Error(`unknown command ${command}: use list or replay`);
  }
}
