import type { NotificationType } from "@flock/contracts";
import {
  deadLettersTable,
  inboxFailuresTable,
  processedEventsTable,
  relationsTable,
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

export const notifications = sqliteTable(
  "notifications",
  {
    // Made when the event is applied, not when it occurred: a late event must sort after the
    // notifications a user has already marked read up to, or it would be born read.
    id: text("id").primaryKey(),
    recipientId: text("recipient_id").notNull(),
    type: text("type").$type<NotificationType>().notNull(),
    actorId: text("actor_id").notNull(),
    postId: text("post_id"),
    commentId: text("comment_id"),
    eventId: text("event_id").notNull(),
    readAt: text("read_at"),
    createdAt: text("created_at").notNull(),
  },
  (table) => [
    uniqueIndex("notifications_once_per_event").on(table.eventId, table.recipientId),
    index("notifications_by_recipient").on(table.recipientId, table.id),
    // Only unread rows, so counting them and marking them read touch nothing already seen;
    // read_at is in it (always null) so that SQLite counts from the index without reading rows.
    index("notifications_unread")
      .on(table.recipientId, table.id, table.readAt)
      .where(sql`read_at IS NULL`),
    index("notifications_by_post").on(table.postId).where(sql`post_id IS NOT NULL`),
    index("notifications_by_comment").on(table.commentId).where(sql`comment_id IS NOT NULL`),
    index("notifications_by_actor").on(table.actorId),
  ],
);

/**
 * The users, posts and comments this service has heard were deleted. An event about one of them can
 * arrive after its deletion (a retried or redelivered message): what it would notify is dropped.
 * Kept for good: a row is one id, and a dead letter can be replayed long after.
 */
export const tombstones = sqliteTable("tombstones", {
  id: text("id").primaryKey(),
  kind: text("kind").$type<"user" | "post" | "comment">().notNull(),
  deletedAt: text("deleted_at").notNull(),
});

/**
 * The newest like or unlike of each user's like of a post, newest by the posts service's commit order
 * (`revision`), then by event id for events from before revisions (decision 0019). Only the like this
 * row names, while it says liked, keeps its notification: a like event that arrives after a newer
 * unlike, or an unlike that committed before the like it raced, leaves no notification standing wrongly.
 */
export const likeStates = sqliteTable(
  "like_states",
  {
    userId: text("user_id").notNull(),
    postId: text("post_id").notNull(),
    liked: integer("liked", { mode: "boolean" }).notNull(),
    revision: integer("revision").notNull().default(0),
    eventId: text("event_id").notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.postId] })],
);

/**
 * Who blocks and who mutes whom, kept from the users service's events: nobody is notified of what an
 * account across a block from them did, nor a muter of what the muted account did.
 */
export const relations = relationsTable();

/**
 * The follow event that holds each follower's follow notification to each account for the day:
 * following, unfollowing and following again within FOLLOW_NOTICE_MS notifies once. A later follow
 * takes the slot over only once the day is past, in the batch that notifies, so racing events can't
 * both win it.
 */
export const followNotices = sqliteTable(
  "follow_notices",
  {
    actorId: text("actor_id").notNull(),
    recipientId: text("recipient_id").notNull(),
    eventId: text("event_id").notNull(),
    notifiedAt: text("notified_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.actorId, table.recipientId] })],
);

export const processedEvents = processedEventsTable();
export const inboxFailures = inboxFailuresTable();
export const deadLetters = deadLettersTable();
