import {
  type ListQuery,
  ListQuery as ListQuerySchema,
  type MarkReadInput,
  MarkReadInput as MarkReadInputSchema,
  type NotificationList,
  type NotificationRecord,
  type UnreadCount,
} from "@flock/contracts";
import { type Db, decodeCursor, nowIso, parseInput, toPage } from "@flock/kit";
import { and, count, desc, eq, isNull, lt, lte } from "drizzle-orm";
import { notifications } from "./db/schema";
import { actor, type Scope } from "./scope";

type NotificationRow = typeof notifications.$inferSelect;

/** A stored notification as the service answers it. */
export function toRecord(row: NotificationRow): NotificationRecord {
  return {
    id: row.id,
    type: row.type,
    actorId: row.actorId,
    postId: row.postId,
    commentId: row.commentId,
    read: row.readAt !== null,
    createdAt: row.createdAt,
  };
}

function countUnread(db: Db, recipientId: string) {
  return db
    .select({ unread: count() })
    .from(notifications)
    .where(and(eq(notifications.recipientId, recipientId), isNull(notifications.readAt)));
}

/** The signed-in user's notifications, newest first, with the unread count: one D1 round trip. */
export async function listNotifications(scope: Scope, raw: ListQuery): Promise<NotificationList> {
  const query = parseInput(ListQuerySchema, raw);
  const { db } = scope;
  const me = actor(scope);
  const after = decodeCursor(query.cursor);
  const [rows, [counted]] = await db.batch([
    db
      .select()
      .from(notifications)
      .where(
        and(eq(notifications.recipientId, me), after ? lt(notifications.id, after) : undefined),
      )
      .orderBy(desc(notifications.id))
      .limit(query.limit + 1),
    countUnread(db, me),
  ]);
  return {
    ...toPage(rows, query.limit, (row) => row.id, toRecord),
    unreadCount: counted?.unread ?? 0,
  };
}

/**
 * Marks the signed-in user's notifications read, up to and including `upTo` (the newest one their
 * client has shown), or all of them. A notification that arrives later has a greater id and stays unread.
 */
export async function markRead(scope: Scope, raw: MarkReadInput): Promise<UnreadCount> {
  const input = parseInput(MarkReadInputSchema, raw);
  const { db } = scope;
  const me = actor(scope);
  const [, [counted]] = await db.batch([
    db
      .update(notifications)
      .set({ readAt: nowIso() })
      .where(
        and(
          eq(notifications.recipientId, me),
          isNull(notifications.readAt),
          input.upTo ? lte(notifications.id, input.upTo) : undefined,
        ),
      ),
    countUnread(db, me),
  ]);
  return { unreadCount: counted?.unread ?? 0 };
}
