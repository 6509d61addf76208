/** The bindings wrangler.toml gives this worker, by kind; tests/system/config.test.ts holds the two equal. */
export const bindings = {
  DB: "d1",
  SEARCH_INBOX: "queue",
  POSTS: "service",
  METRICS: "analytics_engine",
} as const;
