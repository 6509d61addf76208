import {
  deadLettersTable,
  deletedUsersTable,
  inboxFailuresTable,
  outboxTable,
  processedEventsTable,
  relationsTable,
} from "@flock/kit";
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

export const comments = sqliteTable(
  "comments",
  {
    id: text("id").primaryKey(),
    postId: text("post_id").notNull(),
    // No foreign key: replies outlive the comment they answer, whose id then points nowhere.
    parentId: text("parent_id"),
    authorId: text("author_id").notNull(),
    // Copied from the posts service at creation, so the post's author can delete and approve
    // comments, and see held ones, without a call to posts on every request.
    postAuthorId: text("post_author_id").notNull(),
    body: text("body").notNull(),
    // The comment's sequence number: a short integer that names it where a 26-character id is too
    // long, unique across comments and never reused, drawn from `sequences` in the batch that
    // inserts the comment.
    number: integer("number").notNull().default(0),
    status: text("status", { enum: ["visible", "held", "hidden"] }).notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (table) => [
    index("comments_by_post").on(table.postId, table.id),
    index("comments_by_author").on(table.authorId, table.id),
    uniqueIndex("comments_by_number").on(table.number),
  ],
);

/** Counters that hand out numbers in order, each only once: a deleted comment's number stays spent. */
export const sequences = sqliteTable("sequences", {
  name: text("name").primaryKey(),
  value: integer("value").notNull(),
});

export const reports = sqliteTable(
  "reports",
  {
    commentId: text("comment_id")
      .notNull()
      .references(() => comments.id, { onDelete: "cascade" }),
    reporterId: text("reporter_id").notNull(),
    reason: text("reason").notNull(),
    // Set when the post's author approves the comment: those reports no longer count towards hiding
    // it, and their authors cannot report it again (one report per user and comment, ever).
    dismissed: integer("dismissed", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.commentId, table.reporterId] }),
    index("reports_by_reporter").on(table.reporterId),
  ],
);

/**
 * Accounts the users service has deleted, learnt from user.deleted. Triggers
 * (migrations/0005_deleted_accounts.sql) refuse a comment or report by one in the write's own
 * transaction, so a write racing the deletion cannot outlive the account.
 */
export const deletedUsers = deletedUsersTable();

/**
 * Who blocks whom, kept from the users service's events: a comment list leaves out comments across
 * a block from the reader, and a trigger (migrations/0006_blocks.sql) refuses a comment on a post
 * whose author stands across a block from the commenter.
 */
export const relations = relationsTable();

export const outbox = outboxTable();
export const processedEvents = processedEventsTable();
export const inboxFailures = inboxFailuresTable();
export const deadLetters = deadLettersTable();
