/** The bindings wrangler.toml gives this worker, by kind; tests/system/config.test.ts holds the two equal. */
export const bindings = {
  DB: "d1",
  NOTIFICATIONS_INBOX: "queue",
  USERS: "service",
  LIVE: "service",
  METRICS: "analytics_engine",
} as const;
