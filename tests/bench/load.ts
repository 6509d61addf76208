// The load generator, run by bench.ts in a process of its own so that it does not share an event
// loop with the harness: one autocannon instance per route, all at once, for the same duration, with
// connections split by the mix. Reads its plan from the JSON file named by argv[2]; prints results.
import { readFileSync } from "node:fs";
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
          throughput: result.requests.total / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
  });
}

const file = process.argv[2];
if (file) {
  const plan = JSON.parse(readFileSync(file, "utf8")) as Plan;
  const results = await Promise.all(plan.routes.map((route) => run(plan, route)));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
