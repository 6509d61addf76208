// The load generator, run in a process of its own so that it does not share an event loop with the
// harness: one autocannon instance per route, all at once, for the same duration, with connections
// split by the plan. `load(plan)` starts that process, which reads its plan from the JSON file named
// by argv[2] and prints the results.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";

export type Route = {
  name: string;
  connections: number;
  method: "GET" | "POST";
  /** Requests cycle through these paths, each with the token at the same index (if any). */
  paths: string[];
  tokens: string[];
  body?: string;
};
export type Plan = { url: string; duration: number; routes: Route[] };
export type RouteResult = {
  name: string;
  requests: number;
  /** Answers with a 2xx status per second: a refused request is not a request served. */
  throughput: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
};

function run(plan: Plan, route: Route): Promise<RouteResult> {
  let next = Math.floor(Math.random() * route.paths.length);
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: plan.url,
        connections: route.connections,
        duration: plan.duration,
        requests: [
          {
            setupRequest(request) {
              next = (next + 1) % route.paths.length;
              const token = route.tokens[next % Math.max(1, route.tokens.length)];
              return {
                ...request,
                method: route.method,
                path: route.paths[next],
                headers: {
                  ...(token ? { authorization: `Bearer ${token}` } : {}),
                  ...(route.body ? { "content-type": "application/json" } : {}),
                },
                ...(route.body ? { body: route.body.replace("{n}", String(next)) } : {}),
              };
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          name: route.name,
          requests: result.requests.total,
          throughput: result["2xx"] / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
  });
}

/** The non-2xx answers and the errors of every load run in this process, by target and route. */
export const refusals = new Map<string, { non2xx: number; errors: number }>();

/** Runs a load plan against a target in a child process and returns its per-route results. */
export function load(target: string, plan: Plan): Promise<RouteResult[]> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "flock-bench-")), "plan.json");
  writeFileSync(file, JSON.stringify(plan));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [import.meta.filename, file], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`load exited ${code}`));
      const results = JSON.parse(out) as RouteResult[];
      for (const result of results) {
        if (result.non2xx + result.errors === 0) continue;
        const key = `${target}, ${result.name}`;
        const seen = refusals.get(key) ?? { non2xx: 0, errors: 0 };
        refusals.set(key, {
          non2xx: seen.non2xx + result.non2xx,
          errors: seen.errors + result.errors,
        });
      }
      resolve(results);
    });
  });
}

const file = process.argv[2];
if (file && path.resolve(process.argv[1] ?? "") === import.meta.filename) {
  const plan = JSON.parse(readFileSync(file, "utf8")) as Plan;
  const results = await Promise.all(plan.routes.map((route) => run(plan, route)));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
