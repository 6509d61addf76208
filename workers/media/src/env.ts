import { bindings } from "./bindings";

/** The media worker's bindings. Each is listed in bindings.ts. */
export type Env = {
  DB: D1Database;
  /** The bytes of every upload, keyed by its id. */
  BUCKET: R2Bucket;
  /** Its own inbox: dead letters marked for replay go back there. */
  MEDIA_INBOX: Queue;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;
