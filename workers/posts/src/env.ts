import type { UsersRpc } from "@flock/contracts";
import { bindings } from "./bindings";

/** The posts worker's bindings. Each is listed in bindings.ts. */
export type Env = {
  DB: D1Database;
  USERS: Service & UsersRpc;
  CELEBRITY_FOLLOWERS: string;
  USERS_INBOX: Queue;
  POSTS_INBOX: Queue;
  COMMENTS_INBOX: Queue;
  NOTIFICATIONS_INBOX: Queue;
  SEARCH_INBOX: Queue;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;
