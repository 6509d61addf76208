import type { CommentsRpc, NotificationsRpc, PostsRpc, UsersRpc } from "@flock/contracts";
import { bindings } from "./bindings";

/** The gateway's bindings. Each is listed in bindings.ts. */
export type Env = {
  JWT_SECRET: string;
  CORS_ORIGINS: string;
  USERS: Service & UsersRpc;
  POSTS: Service & PostsRpc;
  COMMENTS: Service & CommentsRpc;
  NOTIFICATIONS: Service & NotificationsRpc;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** The signed-in user, or null; set by the auth middleware from a verified token. */
    userId: string | null;
  };
};
