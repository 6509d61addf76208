import type { PostMedia } from "@flock/contracts";
import {
  deadLettersTable,
  deletedUsersTable,
  inboxFailuresTable,
  moderationAuditTable,
  outboxTable,
  processedEventsTable,
  relationsTable,
  suspendedUsersTable,
} from "@flock/kit";
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const posts = sqliteTable(
  "posts",
  {
    id: text("id").primaryKey(),
    authorId: text("author_id").notNull(),
    body: text("body").notNull(),
    title: text("title"),
    description: text("description"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    // A copy of the attached images as the media service vouched for them when the post was
    // written: pages show them without a call, and the media service keeps the bytes.
    media: text("media", { mode: "json" }).$type<PostMedia[]>().notNull().default(sql`'[]'`),
    sharedPostId: text("shared_post_id"),
    // Held while it breaks a moderation rule, until a moderator releases it; hidden by three
    // counting reports or a moderator. Reads show either to the author alone (visibility.ts).
    status: text("status", { enum: ["visible", "held", "hidden"] })
      .notNull()
      .default("visible"),
    // like_count and share_count follow their rows through triggers (migrations/0001_counters.sql);
    // comment_count is fed by the comments service's events.
    likeCount: integer("like_count").notNull().default(0),
    commentCount: integer("comment_count").notNull().default(0),
    shareCount: integer("share_count").notNull().default(0),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (table) => [
    index("posts_by_author").on(table.authorId, table.id),
    index("posts_by_shared").on(table.sharedPostId, table.authorId),
    // Originals are the posts that are not shares: listing and counting them by offset, overall or
    // by author, stays within one of these indexes.
    index("originals").on(table.id).where(sql`shared_post_id IS NULL`),
    index("originals_by_author").on(table.authorId, table.id).where(sql`shared_post_id IS NULL`),
  ],
);

/** One row per tag of a post: the tag timeline is one index range. */
export const postTags = sqliteTable(
  "post_tags",
  {
    tag: text("tag").notNull(),
    postId: text("post_id").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.tag, table.postId] }),
    index("post_tags_by_post").on(table.postId),
  ],
);

/**
 * Every tag in use with the number of posts that carry it and the newest such post, kept by triggers
 * on post_tags (migrations/0003_tag_counts.sql): the popular tags are one index range.
 */
export const tags = sqliteTable(
  "tags",
  {
    tag: text("tag").primaryKey(),
    postCount: integer("post_count").notNull().default(0),
    lastPostId: text("last_post_id").notNull(),
  },
  (table) => [index("tags_by_use").on(table.postCount, table.lastPostId)],
);

export const likes = sqliteTable(
  "likes",
  {
    postId: text("post_id").notNull(),
    userId: text("user_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.postId, table.userId] }),
    index("likes_by_user").on(table.userId, table.postId),
  ],
);

/**
 * How many times each user's like of each post changed, counted in the like's or unlike's own write
 * transaction and carried in its event, so notifications can tell which of a racing like and unlike
 * committed last (decision 0019). Removed with the post and with the account, neither of which comes
 * back, so a pair's count never restarts.
 */
export const likeRevisions = sqliteTable(
  "like_revisions",
  {
    postId: text("post_id").notNull(),
    userId: text("user_id").notNull(),
    revision: integer("revision").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.postId, table.userId] }),
    index("like_revisions_by_user").on(table.userId),
  ],
);

/**
 * The home timeline, fanned out on write: one row per (reader, post). A feed page is one range of
 * the primary key, however many accounts the reader follows.
 */
export const timelineEntries = sqliteTable(
  "timeline_entries",
  {
    userId: text("user_id").notNull(),
    postId: text("post_id").notNull(),
    authorId: text("author_id").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.postId] }),
    index("timeline_by_reader_author").on(table.userId, table.authorId),
    index("timeline_by_post").on(table.postId),
  ],
);

/** A retried create with the same Idempotency-Key returns the first post instead of making another. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    userId: text("user_id").notNull(),
    key: text("key").notNull(),
    postId: text("post_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.key] })],
);

export const outbox = outboxTable();
export const processedEvents = processedEventsTable();
export const inboxFailures = inboxFailuresTable();
export const deadLetters = deadLettersTable();

/**
 * The profile summaries of authors, kept from user.registered and user.updated events, so a page of
 * posts comes back with its authors without a call to the users service (which stays their owner).
 */
export const authors = sqliteTable(
  "authors",
  {
    id: text("id").primaryKey(),
    handle: text("handle").notNull(),
    displayName: text("display_name").notNull(),
    avatarUrl: text("avatar_url"),
    /** When the users service made the change. */
    updatedAt: text("updated_at").notNull(),
    /**
     * The profile's revision as the users service committed it: an older change arriving later
     * never overwrites a newer one (decision 0019). 0 for events from before revisions, which
     * `updatedAt` orders among themselves.
     */
    revision: integer("revision").notNull().default(0),
  },
  (table) => [index("authors_by_handle").on(table.handle)],
);

/**
 * Accounts the users service has deleted. Triggers (migrations/0008_deleted_accounts.sql) refuse a
 * post or like by one and drop any timeline row or author copy for one, and follow states too
 * (0016), so a write racing the deletion, or an event arriving after it, cannot bring the account back.
 */
export const deletedUsers = deletedUsersTable();

/**
 * Whether each reader follows each author, as of the newest follow or unfollow applied: newest by
 * the users service's commit order (`revision`), not by event id (decision 0019). A backfill or
 * fan-out that lands after a newer unfollow adds nothing.
 */
export const followStates = sqliteTable(
  "follow_states",
  {
    followerId: text("follower_id").notNull(),
    followeeId: text("followee_id").notNull(),
    following: integer("following", { mode: "boolean" }).notNull(),
    /** The event that set `following`: while it is the newest word, its backfill or delete runs. */
    eventId: text("event_id").notNull(),
    /** The pair's revision in the users service; 0 for events from before revisions, by event id. */
    revision: integer("revision").notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.followerId, table.followeeId] })],
);

/**
 * Each comment the posts service has heard of, with its newest known visibility, so a post's comment
 * count is counted rather than stepped: events that arrive twice or out of order (a deletion before
 * its creation, a release before its hold) still leave it equal to the post's visible comments.
 */
export const countedComments = sqliteTable(
  "counted_comments",
  {
    commentId: text("comment_id").primaryKey(),
    postId: text("post_id").notNull(),
    visible: integer("visible", { mode: "boolean" }).notNull(),
    deleted: integer("deleted", { mode: "boolean" }).notNull(),
    /** The event that set `visible`: an older one never overrides it. */
    eventId: text("event_id").notNull(),
  },
  (table) => [index("counted_comments_visible").on(table.postId, table.visible, table.deleted)],
);

/**
 * Authors whose new posts are not fanned out but merged into their followers' feeds at read time.
 * An author joins at CELEBRITY_FOLLOWERS followers and leaves only below a lower line (fanout.ts),
 * so an account hovering at the threshold does not flip with every follow.
 */
export const celebrities = sqliteTable("celebrities", {
  authorId: text("author_id").primaryKey(),
  since: text("since").notNull(),
});

/**
 * Who blocks and who mutes whom, kept from the users service's events: every read for a signed-in
 * reader leaves out what a block or mute hides (src/visibility.ts), and triggers
 * (migrations/0011_blocks.sql) refuse a like or share across a block.
 */
export const relations = relationsTable();

/**
 * The posts that were not fanned out because their author was a celebrity when they were written,
 * newest last. The home feed merges them by one bounded range of this key, keeping those whose
 * author the reader follows (`follow_states`), whatever the author's status is today.
 */
export const mergedPosts = sqliteTable(
  "merged_posts",
  {
    postId: text("post_id").primaryKey(),
    authorId: text("author_id").notNull(),
  },
  (table) => [index("merged_posts_by_author").on(table.authorId)],
);

/**
 * Reports on posts: one per reporter and post. `counts` says whether it counts toward hiding (its
 * reporter's account was at least a day old); a moderator's resolution closes the open ones. A post
 * held by the moderation rules has one report by MODERATION_RULES, so it waits in the same queue.
 */
export const reports = sqliteTable(
  "reports",
  {
    postId: text("post_id").notNull(),
    reporterId: text("reporter_id").notNull(),
    reason: text("reason").notNull(),
    counts: integer("counts", { mode: "boolean" }).notNull(),
    createdAt: text("created_at").notNull(),
    resolvedAt: text("resolved_at"),
  },
  (table) => [
    primaryKey({ columns: [table.postId, table.reporterId] }),
    index("reports_by_reporter").on(table.reporterId),
    index("reports_open").on(table.postId).where(sql`resolved_at IS NULL`),
  ],
);

/**
 * Accounts a moderator has suspended, copied from user.suspended and user.unsuspended. Triggers
 * (migrations/0013_moderation.sql) refuse a post, share, like or report by one while it is suspended.
 */
export const suspendedUsers = suspendedUsersTable();

/** Resolutions of reports on posts, each written in the batch that resolved them. */
export const moderationAudit = moderationAuditTable();

/**
 * Readers with a live socket open, as the gateway reported at each upgrade (decision 0014). A new
 * post is pushed to the connected followers found here, celebrity or not, so nothing is written or
 * woken per offline follower. A row outlives its socket until a push finds nobody connected and
 * drops it: a stale row costs one wasted push, never a missed one.
 */
export const livePresence = sqliteTable("live_presence", {
  userId: text("user_id").primaryKey(),
  seenAt: text("seen_at").notNull(),
});
