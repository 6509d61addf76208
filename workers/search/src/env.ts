import type { PostsRpc } from "@flock/contracts";
import { bindings } from "./bindings";

/** The search worker's bindings. Each is listed in bindings.ts. */
export type Env = {
  DB: D1Database;
  SEARCH_INBOX: Queue;
  POSTS: Service & PostsRpc;
  /** Span data points (Workers Analytics Engine, dataset flock_metrics): docs/OPERATIONS.md "Metrics". */
  METRICS?: AnalyticsEngineDataset;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;
