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
    // Whether it counts toward hiding: its reporter's account was at least a day old (reports made
    // before the rule existed count, as they did).
    counts: integer("counts", { mode: "boolean" }).notNull().default(true),
    createdAt: text("created_at").notNull(),
    // Set when a moderator resolves the comment's reports: they leave the queue and stop counting.
    resolvedAt: text("resolved_at"),
  },
  (table) => [
    primaryKey({ columns: [table.commentId, table.reporterId] }),
    index("reports_by_reporter").on(table.reporterId),
    index("reports_open").on(table.commentId).where(sql`resolved_at IS NULL AND dismissed = 0`),
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

/**
 * Accounts a moderator has suspended, copied from user.suspended and user.unsuspended. Triggers
 * (migrations/0007_moderation.sql) refuse a comment or report by one while it is suspended.
 */
export const suspendedUsers = suspendedUsersTable();

/** Moderators' resolutions of reports on comments, each written in the batch that resolved them. */
export const moderationAudit = moderationAuditTable();

export const outbox = outboxTable();
export const processedEvents = processedEventsTable();
export const inboxFailures = inboxFailuresTable();
export const deadLetters = deadLettersTable();
