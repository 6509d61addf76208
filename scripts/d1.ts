import { execFileSync } from "node:child_process";
import { quietEnv } from "./run.ts";

/**
 * Runs SQL on one service's D1 database with `wrangler d1 execute`: the local state `npm start`
 * uses (.wrangler/state, or `persistTo`), or the deployed database when `remote`. Returns every
 * result row.
 */
export function d1Execute(
  target: { database: string; config: string; remote: boolean; persistTo?: string },
  sql: string,
): Array<Record<string, unknown>> {
  const where = target.remote
    ? ["--remote"]
    : ["--local", "--persist-to", target.persistTo ?? ".wrangler/state"];
  const out = execFileSync(
    "wrangler",
    ["d1", "execute", target.database, ...where, "-c", target.config, "--json", "--command", sql],
    { env: quietEnv, encoding: "utf8" },
  );
  const results = JSON.parse(out) as Array<{ results: Array<Record<string, unknown>> }>;
  return results.flatMap((result) => result.results);
}

/** A string as an SQL literal. */
export const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;
