import type { LiveRpc, MediaRpc, UsersRpc } from "@flock/contracts";
import { bindings } from "./bindings";

/** The posts worker's bindings. Each is listed in bindings.ts. */
export type Env = {
  DB: D1Database;
  USERS: Service & UsersRpc;
  MEDIA: Service & MediaRpc;
  CELEBRITY_FOLLOWERS: string;
  USERS_INBOX: Queue;
  POSTS_INBOX: Queue;
  COMMENTS_INBOX: Queue;
  NOTIFICATIONS_INBOX: Queue;
  /** Live pushes of new posts; absent where no live worker runs (the bench's monolith): no pushes. */
  LIVE?: Service & LiveRpc;
  MEDIA_INBOX: Queue;
  SEARCH_INBOX: Queue;
  /** Span data points (Workers Analytics Engine, dataset flock_metrics): docs/OPERATIONS.md "Metrics". */
  METRICS?: AnalyticsEngineDataset;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;
