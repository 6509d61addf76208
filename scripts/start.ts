// `npm start`: builds the web app, applies every local D1 migration, then runs all workers and their
// queues in one `wrangler dev` process, serving the gateway (API and web app) on
// http://localhost:8787 (PORT overrides).
import { copyFileSync, existsSync } from "node:fs";
import { run } from "./run.ts";
import { devConfigs, workers } from "./workers.ts";

const STATE = ".wrangler/state";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local development secrets).");
}

// The gateway serves apps/web/dist as its static assets; wrangler refuses to start without it.
await run("npm", ["run", "build", "-w", "@flock/web"]);

for (const worker of workers) {
  if (!worker.database) continue;
  await run("wrangler", [
    "d1",
    "migrations",
    "apply",
    worker.database,
    "--local",
    "--persist-to",
    STATE,
    "-c",
    worker.config,
  ]);
}

const port = process.env.PORT ?? "8787";
await run("wrangler", [
  "dev",
  ...devConfigs.flatMap((config) => ["-c", config]),
  "--persist-to",
  STATE,
  "--port",
  port,
  "--ip",
  process.env.HOST ?? "127.0.0.1",
  "--test-scheduled",
  // A local run, even with a .dev.vars from before LOCAL_RUN existed: loopback is not rate limited
  // and the example secret is allowed (wrangler.toml says why).
  "--var",
  "LOCAL_RUN:true",
  ...process.argv.slice(2),
]);
