import { bindings } from "./bindings";

/** The media worker's bindings. Each is listed in bindings.ts. */
export type Env = {
  DB: D1Database;
  /** The bytes of every upload, keyed by its id. */
  BUCKET: R2Bucket;
  /** Its own inbox: dead letters marked for replay go back there. */
  MEDIA_INBOX: Queue;
  /** Span data points (Workers Analytics Engine, dataset flock_metrics): docs/OPERATIONS.md "Metrics". */
  METRICS?: AnalyticsEngineDataset;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;
