/** The bindings wrangler.toml gives this worker, by kind; tests/system/config.test.ts holds the two equal. */
export const bindings = {
  DB: "d1",
  USERS_INBOX: "queue",
  POSTS_INBOX: "queue",
  COMMENTS_INBOX: "queue",
  NOTIFICATIONS_INBOX: "queue",
  MEDIA_INBOX: "queue",
  SEARCH_INBOX: "queue",
  SEND_EMAIL: "send_email",
  MAIL_FROM: "var",
  APP_URL: "var",
  METRICS: "analytics_engine",
} as const;
