import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createTestHarness } from "wrangler";
import { devConfigs, workers } from "../../scripts/workers.ts";
import { client } from "./client";

export const root = path.resolve(import.meta.dirname, "../..");

export const TEST_JWT_SECRET = "system-test-secret-0123456789abcdef";

/** The gateway's vars in a local run: every client of the harness is this machine (loopback). */
export const LOCAL_RUN_VARS = { LOCAL_RUN: "true" };

/**
 * Starts all workers with fresh local storage and applies every migration; `gatewayVars` override
 * the gateway's [vars] (a test shortening SESSION_RECHECK_MS, say).
 */
export async function startFlock(gatewayVars: Record<string, string> = {}) {
  const server = createTestHarness({
    root,
    workers: devConfigs.map((configPath, index) =>
      index === 0
        ? {
            configPath,
            secrets: { JWT_SECRET: TEST_JWT_SECRET },
            vars: { ...LOCAL_RUN_VARS, ...gatewayVars },
          }
        : { configPath },
    ),
  });
  await server.listen();
  for (const worker of workers) {
    if (worker.database) await server.getWorker(worker.name).applyD1Migrations("DB");
  }
  return server;
}

export type Flock = Awaited<ReturnType<typeof startFlock>>;

/**
 * Starts flock once for the test file that calls it, and stops it after: `flock.server` is the
 * harness, `flock.api` a client of its gateway (both set before the first test runs).
 */
export function useFlock(gatewayVars: Record<string, string> = {}) {
  const flock = {} as { server: Flock; api: ReturnType<typeof client> };
  beforeAll(async () => {
    flock.server = await startFlock(gatewayVars);
    flock.api = client(flock.server);
  });
  afterAll(async () => {
    await flock.server?.close();
  });
  return flock;
}
