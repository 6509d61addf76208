import { existsSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * The vitest config of a worker's own tests: they run inside workerd with the bindings of the
 * worker's wrangler.toml (`configPath`, else the one in `workerDir`), and every test file starts
 * from a D1 database with the real migrations, when the worker has a database.
 *
 * Other workers are not running in a worker's own tests. A service binding to one (`absentServices`)
 * answers every call with a 503, as a service that is down would; whole-system tests run them all.
 * `bindings` adds or replaces vars, such as secrets a clean clone has no .dev.vars for.
 */
export function workerTestConfig(
  workerDir: string,
  options: {
    absentServices?: string[];
    configPath?: string;
    bindings?: Record<string, string>;
  } = {},
) {
  return defineConfig(async () => {
    const migrationsDir = path.join(workerDir, "migrations");
    // The gateway keeps no data: it has no database and no migrations to apply.
    const hasDatabase = existsSync(migrationsDir);
    const migrations = hasDatabase ? await readD1Migrations(migrationsDir) : [];
    const down = () => new Response("service not running in this test", { status: 503 });
    return {
      plugins: [
        cloudflareTest({
          wrangler: { configPath: options.configPath ?? path.join(workerDir, "wrangler.toml") },
          miniflare: {
            bindings: { ...options.bindings, TEST_MIGRATIONS: migrations },
            serviceBindings: Object.fromEntries(
              (options.absentServices ?? []).map((name) => [name, down]),
            ),
          },
        }),
      ],
      test: {
        setupFiles: hasDatabase ? [path.join(import.meta.dirname, "apply-migrations.ts")] : [],
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      },
    };
  });
}
