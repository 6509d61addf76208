import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// kit's own tests run inside workerd, as the services that use kit do, with a local D1 of their own.
export default defineConfig({
  plugins: [
    cloudflareTest({ miniflare: { compatibilityDate: "2026-11-01", d1Databases: ["DB"] } }),
  ],
  test: { include: ["src/**/*.test.ts"] },
});
