import { bindings } from "./bindings";
/** The users worker's bindings. Each is listed in bindings.ts. */
export type Env = {
  DB: D1Database;
  USERS_INBOX: Queue;
  POSTS_INBOX: Queue;
  COMMENTS_INBOX: Queue;
  NOTIFICATIONS_INBOX: Queue;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;
