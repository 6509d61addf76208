// The whole of flock as `npm start` runs it, but on free ports with fresh local state, for test
// runners (the RealWorld suite, the browser tests): migrations applied, every worker in one
// `wrangler dev` in its own process group, health awaited, and a stop() that ends the group.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { serveFigures } from "./figures.ts";
import { quietEnv } from "./run.ts";
import { devConfigs, workers } from "./workers.ts";

const root = path.resolve(import.meta.dirname, "..");
// wrangler's own entry point, run on this Node (22), whatever else is first on the PATH.
const wranglerJs = path.join(root, "node_modules/wrangler/bin/wrangler.js");

/** A port nothing listens on right now: the OS picks it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** Runs wrangler quietly; its output is shown only when it fails. */
function wrangler(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wranglerJs, ...args], {
      cwd: root,
      env: quietEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(" ")} failed:\n${output}`)),
    );
  });
}

/** Stops wrangler dev and every workerd it started: they share its process group. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const group = child.pid;
  if (group === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-group, name);
    } catch {
      // the group is gone already
    }
  };
  signal("SIGTERM");
  const killed = setTimeout(() => signal("SIGKILL"), 5_000);
  await exited;
  clearTimeout(killed);
}

export type LocalFlock = { url: string; log: string; stop(): Promise<void> };

export async function startLocalFlock(options: {
  state: string;
  log: string;
  args?: string[];
  startupMs?: number;
}): Promise<LocalFlock> {
  // One database at a time: wrangler processes applying migrations into one state folder at once
  // contend for the same local SQLite lock ("database is locked").
  for (const worker of workers) {
    if (!worker.database) continue;
    await wrangler([
      "d1",
      "migrations",
      "apply",
      worker.database,
      "--local",
      "--persist-to",
      options.state,
      "-c",
      worker.config,
    ]);
  }
  const [port, inspector] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const out = openSync(options.log, "a");
  // The operations page's figures, from this run's span lines (scripts/figures.ts).
  const figures = await serveFigures(options.log);
  const child = spawn(
    process.execPath,
    [
      wranglerJs,
      "dev",
      ...devConfigs.flatMap((config) => ["-c", config]),
      ...[
        "--persist-to",
        options.state,
        "--port",
        String(port),
        "--ip",
        "127.0.0.1",
        "--inspector-port",
        String(inspector),
        // A local run: loopback is not rate limited and the example secret is allowed (wrangler.toml).
        "--var",
        "LOCAL_RUN:true",
        "--var",
        `LOCAL_FIGURES_URL:${figures.url}`,
      ],
      ...(options.args ?? []),
    ],
    // Its own process group, so stopping it stops workerd too; no local observability, which costs
    // time on every request.
    {
      cwd: root,
      env: { ...quietEnv, X_LOCAL_OBSERVABILITY: "false" },
      detached: true,
      stdio: ["ignore", out, out],
    },
  );
  closeSync(out);
  const stop = () => stopGroup(child).finally(() => figures.close());

  const deadline = Date.now() + (options.startupMs ?? 180_000);
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const response = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return { url, log: options.log, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  const tail = readFileSync(options.log, "utf8").split("\n").slice(-40).join("\n");
  throw new Error(`flock did not become healthy at ${url}; wrangler's output ends:\n${tail}`);
}
