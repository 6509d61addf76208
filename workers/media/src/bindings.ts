/** The bindings wrangler.toml gives this worker, by kind; tests/system/config.test.ts holds the two equal. */
export const bindings = {
  DB: "d1",
  BUCKET: "r2",
  MEDIA_INBOX: "queue",
  METRICS: "analytics_engine",
} as const;
