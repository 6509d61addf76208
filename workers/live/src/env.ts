import { bindings } from "./bindings";
import type { UserLive } from "./user-live";

/** The live worker's bindings. Each is listed in bindings.ts. */
export type Env = {
  USER_LIVE: DurableObjectNamespace<UserLive>;
  /** Span data points (Workers Analytics Engine, dataset flock_metrics): docs/OPERATIONS.md "Metrics". */
  METRICS?: AnalyticsEngineDataset;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;
