import {
  deadLettersTable,
  inboxFailuresTable,
  processedEventsTable,
  relationsTable,
} from "@flock/kit";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The visible original posts, one row each, as the posts service last answered for them. The FTS5
 * index `posts_fts` (migrations/0001_fts.sql: drizzle cannot declare virtual tables) is an external
 * content table over it, kept by triggers; `doc_id` is the rowid FTS5 refers to, an integer primary
 * key so that it never changes under it (a VACUUM may renumber an implicit rowid).
 */
export const indexedPosts = sqliteTable(
  "indexed_posts",
  {
    docId: integer("doc_id").primaryKey({ autoIncrement: true }),
    postId: text("post_id").notNull().unique(),
    authorId: text("author_id").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** The tags as words, space-separated, for the FTS5 column. */
    tags: text("tags").notNull(),
    /** The tags as a JSON array, from which triggers keep post_tags. */
    tagList: text("tag_list", { mode: "json" }).$type<string[]>().notNull(),
    /** Milliseconds since the epoch: recency enters the ranking as a number. */
    createdMs: integer("created_ms").notNull(),
  },
  (table) => [index("indexed_posts_by_author").on(table.authorId)],
);

/** One row per tag of an indexed post, kept by triggers on indexed_posts. */
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

/** Every tag of an indexed post with how many carry it, kept by triggers on post_tags. */
export const tagCounts = sqliteTable(
  "tag_counts",
  {
    tag: text("tag").primaryKey(),
    postCount: integer("post_count").notNull(),
  },
  (table) => [index("tag_counts_by_use").on(table.postCount)],
);

/** The accounts that exist, as their newest user.registered or user.updated event describes them. */
export const indexedUsers = sqliteTable("indexed_users", {
  docId: integer("doc_id").primaryKey({ autoIncrement: true }),
  userId: text("user_id").notNull().unique(),
  handle: text("handle").notNull(),
  displayName: text("display_name").notNull(),
  avatarUrl: text("avatar_url"),
  /** The event the row is as of: an older one arriving late changes nothing. */
  eventId: text("event_id").notNull(),
  /**
   * The profile's revision (the users service's commit order), which decides before the event id:
   * two changes racing may make their events in the other order (decision 0019). 0 before revisions.
   */
  revision: integer("revision").notNull().default(0),
});

/**
 * The accounts this service has heard were deleted: a late event about one of them (a profile
 * update, a post whose removal is still going on) puts nothing back. Kept for good: a row is an id.
 */
export const deletedUsers = sqliteTable("deleted_users", {
  userId: text("user_id").primaryKey(),
});

/**
 * The posts this service has heard were deleted: a rebuild page read just before a deletion does not
 * put the post back. Kept for good, as deleted_users.
 */
export const deletedPosts = sqliteTable("deleted_posts", {
  postId: text("post_id").primaryKey(),
});

/** Who blocks whom, kept from the users service's events: nobody finds an account across a block. */
export const relations = relationsTable();

export const processedEvents = processedEventsTable();
export const inboxFailures = inboxFailuresTable();
export const deadLetters = deadLettersTable();
