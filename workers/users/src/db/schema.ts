import {
  deadLettersTable,
  inboxFailuresTable,
  moderationAuditTable,
  outboxTable,
  processedEventsTable,
} from "@flock/kit";
import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  handle: text("handle").notNull().unique(),
  email: text("email").notNull().unique(),
  displayName: text("display_name").notNull(),
  bio: text("bio"),
  avatarUrl: text("avatar_url"),
  passwordHash: text("password_hash").notNull(),
  // When the current email was proved by a mailed link; null until then, and again after a change.
  emailVerifiedAt: text("email_verified_at"),
  // Kept equal to the rows they count by triggers (migrations/0001_counters.sql) and the inbox.
  followerCount: integer("follower_count").notNull().default(0),
  followingCount: integer("following_count").notNull().default(0),
  postCount: integer("post_count").notNull().default(0),
  // Granted and revoked only by an operator (`npm run moderator`), never through the API.
  role: text("role", { enum: ["member", "moderator"] })
    .notNull()
    .default("member"),
  // Set while a moderator has suspended the account: triggers (migrations/0008_moderation.sql)
  // refuse its follows, friend requests and profile changes here, as posts and comments do theirs.
  suspendedAt: text("suspended_at"),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
  // Steps with every change a user makes to the account (the only writes that change the summary),
  // in the change's own transaction, so it orders profile changes as they committed; user.updated
  // carries it (decision 0019).
  revision: integer("revision").notNull().default(0),
});

export const follows = sqliteTable(
  "follows",
  {
    // A ULID per follow: the keyset for follower and following lists, newest first.
    id: text("id").notNull().unique(),
    followerId: text("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    followeeId: text("followee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: text("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.followerId, table.followeeId] }),
    index("follows_by_followee").on(table.followeeId, table.id),
    index("follows_by_follower").on(table.followerId, table.id),
  ],
);

/**
 * How many times each pair's follow has changed, counted in the transaction of each change: the
 * primary serializes writes, so revisions order a pair's follows and unfollows as they committed,
 * which their event ids (made before the write) need not. Each user.followed / user.unfollowed
 * carries its revision (decision 0019); an account's deletion takes its rows with it.
 */
export const followRevisions = sqliteTable(
  "follow_revisions",
  {
    followerId: text("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    followeeId: text("followee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    revision: integer("revision").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.followerId, table.followeeId] }),
    // The cascade from a deleted followee looks its rows up by this.
    index("follow_revisions_by_followee").on(table.followeeId),
  ],
);

/**
 * How many times each pair's block or mute has changed, counted like follow_revisions in each
 * change's transaction and carried in its event, so the relations copies other services keep order
 * a racing block and unblock (or mute and unmute) as they committed (decision 0019).
 */
export const relationRevisions = sqliteTable(
  "relation_revisions",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    otherId: text("other_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["block", "mute"] }).notNull(),
    revision: integer("revision").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.otherId, table.kind] }),
    // The cascade from a deleted other account looks its rows up by this.
    index("relation_revisions_by_other").on(table.otherId),
  ],
);

export const friendRequests = sqliteTable(
  "friend_requests",
  {
    id: text("id").primaryKey(),
    fromId: text("from_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    toId: text("to_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["pending", "accepted", "declined", "canceled"] }).notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (table) => [
    uniqueIndex("friend_requests_one_pending")
      .on(table.fromId, table.toId)
      .where(sql`status = 'pending'`),
    index("friend_requests_incoming").on(table.toId, table.status, table.id),
    index("friend_requests_outgoing").on(table.fromId, table.status, table.id),
  ],
);

/** Friendship is mutual: one row each way, so either side lists its friends with one index. */
export const friendships = sqliteTable(
  "friendships",
  {
    id: text("id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    friendId: text("friend_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: text("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.friendId] }),
    index("friendships_by_user").on(table.userId, table.id),
  ],
);

/**
 * Each signed-in session: a token names one (its `sid`), and it lives until it is ended (logout,
 * another session ending it, a password change, the account's deletion) or it is a week old.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: text("created_at").notNull(),
    // Written at most once a minute (see checkSession), not on every request.
    lastUsedAt: text("last_used_at").notNull(),
    userAgent: text("user_agent"),
  },
  (table) => [index("sessions_by_user").on(table.userId, table.id)],
);

/**
 * The links mailed to prove an address: a password reset (valid an hour) or an email verification
 * (a day). Only the SHA-256 of each token is kept, so a copy of the database opens no account. A
 * token is used up by deleting its row; `email` is the address it was mailed to, so a link sent to
 * an old address cannot verify a new one.
 */
export const emailTokens = sqliteTable(
  "email_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["reset", "verify"] }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    email: text("email").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (table) => [index("email_tokens_by_user").on(table.userId, table.purpose)],
);

/**
 * Who blocks whom. While a row stands, neither account can follow or friend-request the other:
 * triggers (migrations/0007_blocks.sql) refuse it in the write's own transaction.
 */
export const blocks = sqliteTable(
  "blocks",
  {
    // A ULID per block: the keyset of the blocker's list, newest first.
    id: text("id").notNull().unique(),
    blockerId: text("blocker_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    blockedId: text("blocked_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: text("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.blockerId, table.blockedId] }),
    index("blocks_by_blocker").on(table.blockerId, table.id),
    index("blocks_by_blocked").on(table.blockedId, table.blockerId),
  ],
);

/** Who mutes whom: private to the muter, who stops seeing the muted account in the home feed. */
export const mutes = sqliteTable(
  "mutes",
  {
    id: text("id").notNull().unique(),
    muterId: text("muter_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    mutedId: text("muted_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: text("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.muterId, table.mutedId] }),
    index("mutes_by_muter").on(table.muterId, table.id),
  ],
);

export const outbox = outboxTable();
export const processedEvents = processedEventsTable();
export const inboxFailures = inboxFailuresTable();
export const deadLetters = deadLettersTable();

/**
 * Each post the users service has heard of, live or deleted, so an author's post count can be counted
 * rather than stepped: events that arrive twice or out of order (a deletion before its creation)
 * still leave the count equal to the author's live posts. Rows go with their author, and none is
 * recorded for an author who is gone (triggers in migrations/0004_deleted_accounts.sql).
 */
export const authoredPosts = sqliteTable(
  "authored_posts",
  {
    postId: text("post_id").primaryKey(),
    authorId: text("author_id").notNull(),
    deleted: integer("deleted", { mode: "boolean" }).notNull(),
  },
  (table) => [index("authored_posts_live").on(table.authorId, table.deleted)],
);

/** Suspensions, unsuspensions and role changes, each written in the batch that made it. */
export const moderationAudit = moderationAuditTable();
