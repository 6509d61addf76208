/**
 * Every worker of flock, in deploy order: services first, the gateway last. `database` names the
 * worker's D1 database, if it owns one. The start, deploy and test scripts all read this list.
 */
export const workers = [
  { name: "flock-users", config: "workers/users/wrangler.toml", database: "users-db" },
  { name: "flock-posts", config: "workers/posts/wrangler.toml", database: "posts-db" },
  { name: "flock-comments", config: "workers/comments/wrangler.toml", database: "comments-db" },
  {
    name: "flock-notifications",
    config: "workers/notifications/wrangler.toml",
    database: "notifications-db",
  },
  { name: "flock-gateway", config: "wrangler.toml", database: null },
] as const;

/** The configs in the order `wrangler dev` wants them: the gateway first, since it serves the port. */
export const devConfigs = [...workers].reverse().map((worker) => worker.config);
