import { deadLettersTable, inboxFailuresTable, processedEventsTable } from "@flock/kit";
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per upload; its bytes are the R2 object named by its id. The row is written before the
 * object (storedAt null until the object is in place) and deleted after it (deletingAt marks it
 * first), so no object is ever without its row. Only a row with storedAt and no deletingAt is served.
 */
export const media = sqliteTable(
  "media",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    contentType: text("content_type").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    bytes: integer("bytes").notNull(),
    createdAt: integer("created_at").notNull(),
    storedAt: integer("stored_at"),
    /** What holds the upload: a post or an account's avatar, once attached. */
    attachedKind: text("attached_kind").$type<"post" | "avatar">(),
    attachedTo: text("attached_to"),
    /** When it was last attached: an attachment gets a day of its own to be confirmed. */
    claimedAt: integer("claimed_at"),
    /** When the holder's own event confirmed the attachment (a claim alone does not keep an upload). */
    confirmedAt: integer("confirmed_at"),
    /**
     * For an avatar, the profile revision (the users service's commit order) of the change that
     * confirmed it: the newest change decides which avatar stands (decision 0019). Null before
     * revisions, and for posts.
     */
    holderRevision: integer("holder_revision"),
    deletingAt: integer("deleting_at"),
  },
  (table) => [
    index("media_by_owner").on(table.ownerId),
    index("media_by_holder").on(table.attachedKind, table.attachedTo),
    index("media_unconfirmed").on(table.createdAt).where(sql`confirmed_at IS NULL`),
    index("media_deleting").on(table.deletingAt).where(sql`deleting_at IS NOT NULL`),
  ],
);

export const processedEvents = processedEventsTable();
export const inboxFailures = inboxFailuresTable();
export const deadLetters = deadLettersTable();
