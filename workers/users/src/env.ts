import { bindings } from "./bindings";
/** The users worker's bindings. Each is listed in bindings.ts. */
export type Env = {
  DB: D1Database;
  USERS_INBOX: Queue;
  POSTS_INBOX: Queue;
  COMMENTS_INBOX: Queue;
  NOTIFICATIONS_INBOX: Queue;
  MEDIA_INBOX: Queue;
  SEARCH_INBOX: Queue;
  /** Sends the mails that prove an address: password resets and email verifications. */
  SEND_EMAIL: SendEmail;
  /** The address those mails come from. */
  MAIL_FROM: string;
  /** The web app's origin, which the links in those mails open (its /reset-password and /verify-email pages). */
  APP_URL: string;
  /** Span data points (Workers Analytics Engine, dataset flock_metrics): docs/OPERATIONS.md "Metrics". */
  METRICS?: AnalyticsEngineDataset;
};

// Fails to compile if a binding typed here is missing from bindings.ts, which a test compares with wrangler.toml.
bindings satisfies Record<keyof Env, string>;
