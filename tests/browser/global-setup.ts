import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalFlock } from "../../scripts/local-flock.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    /** The local state folder flock runs on, for `npm run moderator -- --persist-to`. */
    flockState: string;
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
/**
 * Builds the web app, then starts the whole of flock as `npm start` does, but on a free port with
 * fresh local state in a temporary --persist-to folder, so every run begins with no accounts.
 * stop() ends it and removes the state (kept, and its folder printed, when KEEP_STATE is set).
 */
export async function startBrowserFlock(): Promise<{
  url: string;
  state: string;
  stop(): Promise<void>;
}> {
  const started = Date.now();
  await run(bin("vite"), ["build", "--logLevel", "warn"], path.join(root, "apps", "web"));

  const state = mkdtempSync(path.join(tmpdir(), "flock-browser-"));
  const flock = await startLocalFlock({
    state,
    log: path.join(state, "wrangler.log"),
    args: [
      "--var",
      "JWT_SECRET:browser-test-secret-0123456789abcdef",
      "--log-level",
      "warn",
      "--show-interactive-dev-session=false",
    ],
  });
  console.log(`flock is up at ${flock.url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    url: flock.url,
    state,
    async stop() {
      await flock.stop();
      if (process.env.KEEP_STATE) console.log(`state and wrangler.log kept in ${state}`);
      else rmSync(state, { recursive: true, force: true });
    },
  };
}

/** The browser suite's global setup: one flock for every file, its address provided as baseUrl. */
export default async function setup(project: TestProject) {
  const flock = await startBrowserFlock();
  project.provide("baseUrl", flock.url);
  project.provide("flockState", flock.state);
  return flock.stop;
}
