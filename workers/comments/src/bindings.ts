/** The bindings wrangler.toml gives this worker, by kind; tests/system/config.test.ts holds the two equal. */
export const bindings = {
  DB: "d1",
  COMMENTS_INBOX: "queue",
  POSTS: "service",
  POSTS_INBOX: "queue",
  NOTIFICATIONS_INBOX: "queue",
  METRICS: "analytics_engine",
} as const;
