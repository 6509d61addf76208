/**
 * Every worker of flock, in deploy order: services first, the gateway last. `database` names the
 * worker's D1 database, if it owns one; `testEntry` is the module test runners start in place of the
 * config's `main` (the real worker with test hooks, see scripts/test-flock.ts). The start, deploy
 * and test scripts all read this list.
 */
export const workers = [
  {
    // Binds no other worker, and posts, notifications and the gateway bind it: first.
    name: "flock-live",
    config: "workers/live/wrangler.toml",
    database: null,
    testEntry: "workers/live/test/entry.ts",
  },
  {
    // Binds no other worker; posts (attaching uploads) and the gateway bind it.
    name: "flock-media",
    config: "workers/media/wrangler.toml",
    database: "media-db",
    testEntry: "workers/media/test/entry.ts",
  },
  {
    name: "flock-users",
    config: "workers/users/wrangler.toml",
    database: "users-db",
    testEntry: "workers/users/test/entry.ts",
  },
  {
    name: "flock-posts",
    config: "workers/posts/wrangler.toml",
    database: "posts-db",
    testEntry: "workers/posts/test/entry.ts",
  },
  {
    name: "flock-comments",
    config: "workers/comments/wrangler.toml",
    database: "comments-db",
    testEntry: "workers/comments/test/entry.ts",
  },
  {
    name: "flock-notifications",
    config: "workers/notifications/wrangler.toml",
    database: "notifications-db",
    testEntry: "workers/notifications/test/entry.ts",
  },
  {
    // Reads posts back for the events it indexes: after posts.
    name: "flock-search",
    config: "workers/search/wrangler.toml",
    database: "search-db",
    testEntry: "workers/search/test/entry.ts",
  },
  {
    name: "flock-gateway",
    config: "wrangler.toml",
    database: null,
    testEntry: "workers/gateway/test/entry.ts",
  },
] as const;

export type WorkerName = (typeof workers)[number]["name"];

/** The configs in the order `wrangler dev` wants them: the gateway first, since it serves the port. */
export const devConfigs = [...workers].reverse().map((worker) => worker.config);
