import { defineConfig } from "vitest/config";

// Browser tests run in Node: the global setup builds the web app and starts every worker in one
// `wrangler dev`; each file drives Debian's Chromium through playwright-core against it.
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    globalSetup: ["./global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Events travel through queues and a cold worker's first answer can take seconds.
    expect: { poll: { timeout: 15_000 } },
    // One Chromium and one wrangler dev share two cores; files in parallel would only contend.
    fileParallelism: false,
  },
});
