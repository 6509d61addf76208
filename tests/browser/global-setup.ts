import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { devConfigs, workers } from "../../scripts/workers.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const root = path.resolve(import.meta.dirname, "../..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

const env = {
  ...process.env,
  // The repository's Node 22 first: wrangler needs it even where the system Node is older.
  PATH: `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  X_LOCAL_OBSERVABILITY: "false",
  CI: "true",
};

function run(command: string, args: string[], cwd = root): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(command)} ${args.join(" ")} failed:\n${output}`)),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${url}/v1/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const tail = existsSync(log) ? readFileSync(log, "utf8").slice(-4000) : "";
  throw new Error(`flock did not start at ${url}. wrangler's output:\n${tail}`);
}

/** Stops wrangler dev and every workerd it started: they share its process group. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  const timeout = new Promise((resolve) => setTimeout(resolve, 5000, "timeout"));
  if ((await Promise.race([exited, timeout])) === "timeout") {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/**
 * Builds the web app, then starts the whole of flock as `npm start` does, but on a free port with
 * fresh local state in a temporary --persist-to folder, so every run begins with no accounts.
 */
export default async function setup(project: TestProject) {
  const started = Date.now();
  await run(bin("vite"), ["build", "--logLevel", "warn"], path.join(root, "apps", "web"));

  const state = mkdtempSync(path.join(tmpdir(), "flock-browser-"));
  // One database at a time: wrangler processes applying migrations into one state folder at once
  // contend for the same local SQLite lock ("database is locked").
  for (const worker of workers) {
    if (!worker.database) continue;
    await run(bin("wrangler"), [
      "d1",
      "migrations",
      "apply",
      worker.database,
      "--local",
      "--persist-to",
      state,
      "-c",
      worker.config,
    ]);
  }

  const [port, inspector] = [await freePort(), await freePort()];
  const log = path.join(state, "wrangler.log");
  const out = openSync(log, "a");
  const child = spawn(
    bin("wrangler"),
    [
      "dev",
      ...devConfigs.flatMap((config) => ["-c", config]),
      "--persist-to",
      state,
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--inspector-port",
      String(inspector),
      "--var",
      "JWT_SECRET:browser-test-secret-0123456789abcdef",
      "--log-level",
      "warn",
      "--show-interactive-dev-session=false",
    ],
    // Its own process group, so the teardown can stop wrangler and its workerd children together.
    { cwd: root, env, detached: true, stdio: ["ignore", out, out] },
  );
  closeSync(out);

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, child, log);
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
  console.log(`flock is up at ${url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("baseUrl", url);

  return async () => {
    await stopGroup(child);
    if (process.env.KEEP_STATE) console.log(`state and wrangler.log kept in ${state}`);
    else rmSync(state, { recursive: true, force: true });
  };
}
