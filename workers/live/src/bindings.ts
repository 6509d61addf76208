/** The bindings wrangler.toml gives this worker, by kind; tests/system/config.test.ts holds the two equal. */
export const bindings = {
  USER_LIVE: "durable_object",
  METRICS: "analytics_engine",
} as const;
