import type { LiveRpc, UsersRpc } from "@flock/contracts";
import { bindings } from "./bindings";

/** The notifications worker's bindings. Each is listed in bindings.ts. */
export type Env = {
  DB: D1Database;
  NOTIFICATIONS_INBOX: Queue;
  USERS: Service & UsersRpc;
  /** Live pushes of new notifications; absent where no live worker runs (the bench's monolith): no pushes. */
  LIVE?: Service & LiveRpc;
  /** Span data points (Workers Analytics Engine, dataset flock_metrics): docs/OPERATIONS.md "Metrics". */
  METRICS?: AnalyticsEngineDataset;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;
