import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * The vitest config of a worker's own tests: they run inside workerd with the bindings of the
 * worker's wrangler.toml, and every test file starts from a D1 database with the real migrations.
 */
export function workerTestConfig(workerDir: string) {
  return defineConfig(async () => {
    const migrations = await readD1Migrations(path.join(workerDir, "migrations"));
    return {
      plugins: [
        cloudflareTest({
          wrangler: { configPath: path.join(workerDir, "wrangler.toml") },
          miniflare: { bindings: { TEST_MIGRATIONS: migrations } },
        }),
      ],
      test: {
        setupFiles: [path.join(import.meta.dirname, "apply-migrations.ts")],
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      },
    };
  });
}
