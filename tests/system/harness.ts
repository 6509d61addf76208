import path from "node:path";
import { createTestHarness } from "wrangler";
import { devConfigs, workers } from "../../scripts/workers.ts";

export const root = path.resolve(import.meta.dirname, "../..");

export const TEST_JWT_SECRET = "system-test-secret-0123456789abcdef";

/** Starts all workers with fresh local storage and applies every migration. */
export async function startFlock() {
  const server = createTestHarness({
    root,
    workers: devConfigs.map((configPath, index) =>
      index === 0 ? { configPath, secrets: { JWT_SECRET: TEST_JWT_SECRET } } : { configPath },
    ),
  });
  await server.listen();
  for (const worker of workers) {
    if (worker.database) await server.getWorker(worker.name).applyD1Migrations("DB");
  }
  return server;
}

export type Flock = Awaited<ReturnType<typeof startFlock>>;
