import { defineConfig } from "vitest/config";

// Whole-system tests run in Node and drive every worker, started together by wrangler's test harness.
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // One harness per file runs all workers; two at once would only contend for the two cores.
    fileParallelism: false,
  },
});
