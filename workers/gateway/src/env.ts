import type {
  Bookmarks,
  CommentsRpc,
  LiveRpc,
  MediaRpc,
  NotificationsRpc,
  PostsRpc,
  SearchRpc,
  Standing,
  UsersRpc,
} from "@flock/contracts";
import { bindings } from "./bindings";

/** The gateway's bindings. Each is listed in bindings.ts. */
export type Env = {
  /** Signs new tokens and verifies them. */
  JWT_SECRET: string;
  /** While a secret is being rotated: the one before, which only verifies tokens issued with it. */
  JWT_PREVIOUS_SECRET?: string;
  CORS_ORIGINS: string;
  /** How long any one RPC call may take before the request answers 503, in milliseconds. */
  RPC_DEADLINE_MS: string;
  /**
   * "true" only in local runs (npm start, the test harnesses): requests from this machine are not
   * rate limited, and the example JWT secret is allowed. "false" in wrangler.toml.
   */
  LOCAL_RUN: string;
  /**
   * How long an isolate trusts a session it has checked before asking the users service again, in
   * milliseconds; at most 60000 (and that when unset). Tests shorten it to watch the window close.
   */
  SESSION_RECHECK_MS?: string;
  /** An outbox row unsent for longer than this (ms) makes GET /v1/health report its service degraded. */
  HEALTH_STUCK_MS: string;
  /** An inbox message waiting for longer than this (ms) makes GET /v1/health report its service degraded. */
  HEALTH_LAG_MS: string;
  /**
   * Presented as `Flock-Operator-Token` on GET /v1/health, it shows every service's figures, as a
   * moderator's token does. Optional: unset, or shorter than 32 characters, no token matches it.
   */
  OPERATOR_TOKEN?: string;
  /**
   * The account whose Analytics Engine the operations page's figures are read from, with a token
   * that may read it (Account Analytics Read); without both, there are no figures in production.
   */
  ANALYTICS_ACCOUNT_ID: string;
  ANALYTICS_API_TOKEN?: string;
  /**
   * Local runs only (honoured with LOCAL_RUN): where `npm start` and the test runners serve the
   * figures of the run's span lines (scripts/figures.ts). Empty in wrangler.toml.
   */
  LOCAL_FIGURES_URL: string;
  /** Sign-up and sign-in attempts per client address. */
  AUTH_LIMITER: RateLimit;
  /** Sign-in attempts per account (the login named), from any address. */
  SIGN_IN_LIMITER: RateLimit;
  /** Writes per signed-in user. */
  WRITE_LIMITER: RateLimit;
  USERS: Service & UsersRpc;
  POSTS: Service & PostsRpc;
  COMMENTS: Service & CommentsRpc;
  NOTIFICATIONS: Service & NotificationsRpc;
  /** Holds the live sockets: the upgrade of GET /v1/live is forwarded to it whole. */
  LIVE: Service & LiveRpc;
  /** Uploads (RPC) and GET /media/:id (its fetch handler). */
  MEDIA: Service & MediaRpc;
  SEARCH: Service & SearchRpc;
  /** Span data points (Workers Analytics Engine, dataset flock_metrics); docs/OPERATIONS.md has the layout. */
  METRICS?: AnalyticsEngineDataset;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** The request's route span, as the traceparent its RPC calls are children of. */
    traceparent: string;
    /** The signed-in user, or null; set by the auth middleware from a verified token. */
    userId: string | null;
    /** The live session the token names, or null when signed out. */
    sessionId: string | null;
    /** The signed-in account's role, age and suspension, as its session check found them. */
    standing: Standing | null;
    /** The newest bookmark of each database the client and this request have seen (bookmarks.ts). */
    bookmarks: Bookmarks;
  };
};
