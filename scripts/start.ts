// `npm start`: builds the web app, applies every local D1 migration, then runs all workers and their
// queues in one `wrangler dev` process, serving the gateway (API and web app) on
// http://localhost:8787 (PORT overrides). wrangler's output is also appended to
// .wrangler/logs/flock.log, where `npm run stats` and the operations page (scripts/figures.ts) read
// the span lines.
import { spawn } from "node:child_process";
import { appendFileSync, copyFileSync, createWriteStream, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { serveFigures } from "./figures.ts";
import { quietEnv, run } from "./run.ts";
import { RUN_MARKER } from "./spans.ts";
import { devConfigs, workers } from "./workers.ts";

const STATE = ".wrangler/state";
const LOG = ".wrangler/logs/flock.log";

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
mkdirSync(path.dirname(LOG), { recursive: true });
// Each run starts with a marker line: stats reads the last run unless told otherwise.
appendFileSync(LOG, `${RUN_MARKER} ${new Date().toISOString()} port ${port}\n`);
// The operations page's figures, from this log's span lines: Analytics Engine's stand-in locally.
const figures = await serveFigures(LOG);
await tee("wrangler", [
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
  "--var",
  `LOCAL_FIGURES_URL:${figures.url}`,
  ...process.argv.slice(2),
]).finally(() => figures.close());

/**
 * Runs a command with its output both on this console and appended to LOG; resolves when it exits
 * 0. The console keeps every line; the file is what a run recorded.
 */
function tee(command: string, args: string[]): Promise<void> {
  const log = createWriteStream(LOG, { flags: "a" });
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["inherit", "pipe", "pipe"], env: quietEnv });
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      log.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      log.write(chunk);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      log.end();
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(" ")} exited with ${code ?? signal}`));
    });
  });
}
