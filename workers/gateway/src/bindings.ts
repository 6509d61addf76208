/** The bindings wrangler.toml gives this worker, by kind; tests/system/config.test.ts holds the two equal. */
export const bindings = {
  JWT_SECRET: "secret",
  CORS_ORIGINS: "var",
  USERS: "service",
  POSTS: "service",
  COMMENTS: "service",
  NOTIFICATIONS: "service",
} as const;
