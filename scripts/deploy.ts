// `npm run deploy`: applies remote migrations and deploys each service, then the gateway last, so
// the gateway never points at a service version that does not exist yet. Needs a Cloudflare login
// and the one-time setup in docs/DEPLOY.md.
import { run } from "./run.ts";
import { workers } from "./workers.ts";

// The gateway uploads apps/web/dist as its static assets. Built first, so a broken web build stops
// the deploy before any worker has changed.
await run("npm", ["run", "build", "-w", "@flock/web"]);

for (const worker of workers) {
  if (worker.database) {
    await run("wrangler", [
      "d1",
      "migrations",
      "apply",
      worker.database,
      "--remote",
      "-c",
      worker.config,
    ]);
  }
  await run("wrangler", ["deploy", "-c", worker.config]);
}
