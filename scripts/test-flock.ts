// flock for test runners that need its test hooks (the fault runs, the system tests that inject
// faults, the benchmark's D1 meter): every worker started by wrangler's test harness from its own
// wrangler.toml, read as it is, with `main` set to the worker's test entry (workers/*/test/entry.ts),
// which wraps the real worker. Reading the real files means the test configs cannot drift from them.
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { createTestHarness, type TestHarnessOptions, type Unstable_RawConfig } from "wrangler";
import { type WorkerName, workers } from "./workers.ts";

const root = path.resolve(import.meta.dirname, "..");
/**
 * The harness resolves an inline config's relative paths, and looks for its `.dev.vars`, from the
 * harness root. Every path below is made absolute, and the root is a folder of its own, so a
 * developer's `.dev.vars` (which `npm start` writes at the repo root) cannot override a test's vars.
 */
const harnessRoot = path.join(root, ".wrangler", "test-flock");

type RawConfig = Omit<Unstable_RawConfig, "env">;

/** Vars for each worker under test, by name: a FAULTS plan, D1_METER, the gateway's JWT_SECRET ... */
export type TestVars = Partial<Record<WorkerName, Record<string, string>>>;

/** One worker's wrangler.toml as an inline config that starts its test entry, with `vars` added. */
export function testConfig(
  worker: (typeof workers)[number],
  vars: Record<string, string> = {},
): RawConfig {
  const file = path.join(root, worker.config);
  const dir = path.dirname(file);
  const config = parse(readFileSync(file, "utf8")) as RawConfig;
  // A REPLICA plan reads through a lagging copy, a second local database (packages/testing/src/replica.ts).
  const copies =
    vars.REPLICA === undefined
      ? []
      : (config.d1_databases ?? [])
          .filter((database) => database.binding === "DB")
          .map((database) => ({
            ...database,
            binding: "DB_REPLICA",
            database_name: `${database.database_name}-replica`,
            database_id: `${database.database_id}-replica`,
          }));
  return {
    ...config,
    main: path.join(root, worker.testEntry),
    vars: { ...config.vars, ...vars },
    d1_databases: [...(config.d1_databases ?? []), ...copies].map((database) => ({
      ...database,
      migrations_dir: path.resolve(dir, database.migrations_dir ?? "migrations"),
    })),
    ...(config.assets && {
      assets: { ...config.assets, directory: path.resolve(dir, config.assets.directory ?? ".") },
    }),
  };
}

/**
 * Harness options for every worker of flock under test, the gateway first (it serves the port). The
 * gateway runs as a local run (LOCAL_RUN, see wrangler.toml) unless `vars` says otherwise.
 */
export function testFlockOptions(vars: TestVars = {}): TestHarnessOptions {
  mkdirSync(harnessRoot, { recursive: true });
  const local: TestVars = { "flock-gateway": { LOCAL_RUN: "true", ...vars["flock-gateway"] } };
  return {
    root: harnessRoot,
    workers: [...workers].reverse().map((worker) => ({
      config: testConfig(worker, { ...local[worker.name], ...vars[worker.name] }),
    })),
  };
}

/** Starts every worker under test with fresh local storage and applies every migration. */
export async function startTestFlock(vars: TestVars = {}) {
  const server = createTestHarness(testFlockOptions(vars));
  await server.listen();
  for (const worker of workers) {
    if (!worker.database) continue;
    await server.getWorker(worker.name).applyD1Migrations("DB");
    if (vars[worker.name]?.REPLICA !== undefined)
      await server.getWorker(worker.name).applyD1Migrations("DB_REPLICA");
  }
  return server;
}

export type TestFlock = Awaited<ReturnType<typeof startTestFlock>>;
