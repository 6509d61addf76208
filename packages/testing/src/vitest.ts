import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * The vitest config of a worker's own tests: they run inside workerd with the bindings of the
 * worker's wrangler.toml, and every test file starts from a D1 database with the real migrations.
 *
 * Other workers are not running in a worker's own tests. A service binding to one (`absentServices`)
 * answers every call with a 503, as a service that is down would; whole-system tests run them all.
 */
export function workerTestConfig(workerDir: string, options: { absentServices?: string[] } = {}) {
  return defineConfig(async () => {
    const migrations = await readD1Migrations(path.join(workerDir, "migrations"));
    const down = () => new Response("service not running in this test", { status: 503 });
    return {
      plugins: [
        cloudflareTest({
          wrangler: { configPath: path.join(workerDir, "wrangler.toml") },
          miniflare: {
            bindings: { TEST_MIGRATIONS: migrations },
            serviceBindings: Object.fromEntries(
              (options.absentServices ?? []).map((name) => [name, down]),
            ),
          },
        }),
      ],
      test: {
        setupFiles: [path.join(import.meta.dirname, "apply-migrations.ts")],
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      },
    };
  });
}
