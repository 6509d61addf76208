/** The bindings wrangler.toml gives this worker, by kind; tests/system/config.test.ts holds the two equal. */
export const bindings = {
  JWT_SECRET: "secret",
  JWT_PREVIOUS_SECRET: "secret",
  CORS_ORIGINS: "var",
  RPC_DEADLINE_MS: "var",
  LOCAL_RUN: "var",
  SESSION_RECHECK_MS: "var",
  AUTH_LIMITER: "ratelimit",
  SIGN_IN_LIMITER: "ratelimit",
  WRITE_LIMITER: "ratelimit",
  USERS: "service",
  POSTS: "service",
  COMMENTS: "service",
  NOTIFICATIONS: "service",
  LIVE: "service",
  MEDIA: "service",
  SEARCH: "service",
} as const;
