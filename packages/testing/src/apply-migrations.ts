import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    }
  }
}

// Setup files run before each test file; applying is a no-op for migrations already applied.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
