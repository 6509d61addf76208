/** The bindings wrangler.toml gives this worker, by kind; tests/system/config.test.ts holds the two equal. */
export const bindings = {
  DB: "d1",
  USERS: "service",
  MEDIA: "service",
  CELEBRITY_FOLLOWERS: "var",
  USERS_INBOX: "queue",
  POSTS_INBOX: "queue",
  COMMENTS_INBOX: "queue",
  NOTIFICATIONS_INBOX: "queue",
  LIVE: "service",
  MEDIA_INBOX: "queue",
  SEARCH_INBOX: "queue",
  METRICS: "analytics_engine",
} as const;
