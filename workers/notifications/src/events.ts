import type { Event, EventOf, NotificationType } from "@flock/contracts";
import {
  blockedBetween,
  type Db,
  insertGroups,
  mutedBy,
  newId,
  recordRelation,
  type Statement,
} from "@flock/kit";
import { and, eq, gt, lte, or, sql } from "drizzle-orm";
import { followNotices, likeStates, notifications, relations, tombstones } from "./db/schema";

/** The ids of the users who hold these handles; handles nobody holds are left out. */
export type ResolveHandles = (handles: string[]) => Promise<string[]>;

/** A notification an event calls for, before it is known whether the recipient should get it. */
type Draft = {
  type: NotificationType;
  recipientId: string;
  postId?: string;
  commentId?: string;
};

/**
 * What the notifications service does with the events it subscribes to: the statements that add
 * or remove notifications, to run in one batch with the record that the event was applied.
 */
export async function applyEvent(
  db: Db,
  event: Event,
  resolveHandles: ResolveHandles,
): Promise<Statement[]> {
  switch (event.type) {
    case "user.blocked": {
      // What the two had told each other goes too: a blocked account leaves no trace in the
      // blocker's list, and the blocker none in theirs.
      const { blockerId, blockedId } = event.data;
      return [
        recordRelation(db, relations, event),
        db
          .delete(notifications)
          .where(
            or(
              and(eq(notifications.recipientId, blockerId), eq(notifications.actorId, blockedId)),
              and(eq(notifications.recipientId, blockedId), eq(notifications.actorId, blockerId)),
            ),
          ),
      ];
    }
    case "user.muted": {
      // Notifications from before the mute stay; any from after it that arrived first are taken back
      // (event ids sort by when they were made).
      const { muterId, mutedId } = event.data;
      return [
        recordRelation(db, relations, event),
        db
          .delete(notifications)
          .where(
            and(
              eq(notifications.recipientId, muterId),
              eq(notifications.actorId, mutedId),
              gt(notifications.eventId, event.id),
            ),
          ),
      ];
    }
    case "user.unblocked":
    case "user.unmuted":
      return [recordRelation(db, relations, event)];
    case "user.followed": {
      const { followerId, followeeId } = event.data;
      return [
        claimFollowNotice(db, event, followerId, followeeId),
        ...notify(db, event, followerId, [{ type: "follow", recipientId: followeeId }]),
        // Taken back at once unless this event holds the day's slot.
        db
          .delete(notifications)
          .where(
            and(
              eq(notifications.eventId, event.id),
              sql`NOT EXISTS (SELECT 1 FROM ${followNotices} WHERE ${followNotices.actorId} = ${followerId} AND ${followNotices.recipientId} = ${followeeId} AND ${followNotices.eventId} = ${event.id})`,
            ),
          ),
      ];
    }
    case "friend.requested":
      return notify(db, event, event.data.fromId, [
        { type: "friend_request", recipientId: event.data.toId },
      ]);
    case "friend.accepted":
      return notify(db, event, event.data.toId, [
        { type: "friend_accept", recipientId: event.data.fromId },
      ]);
    case "post.liked": {
      const { userId, postId, postAuthorId } = event.data;
      return [
        recordLikeState(db, event, true),
        ...notify(db, event, userId, [{ type: "like", recipientId: postAuthorId, postId }]),
        standingLikeOnly(db, event),
      ];
    }
    case "post.unliked":
      return [recordLikeState(db, event, false), standingLikeOnly(db, event)];
    case "post.created": {
      const { postId, authorId, sharedPostAuthorId, mentions } = event.data;
      const drafts: Draft[] = [];
      if (sharedPostAuthorId)
        drafts.push({ type: "share", recipientId: sharedPostAuthorId, postId });
      for (const recipientId of await mentioned(resolveHandles, mentions)) {
        drafts.push({ type: "mention", recipientId, postId });
      }
      return notify(db, event, authorId, drafts);
    }
    case "comment.created": {
      const { commentId, postId, postAuthorId, authorId, parentAuthorId, status } = event.data;
      const about = { postId, commentId };
      const drafts: Draft[] = [];
      if (parentAuthorId) drafts.push({ type: "reply", recipientId: parentAuthorId, ...about });
      drafts.push({ type: "comment", recipientId: postAuthorId, ...about });
      // A held comment is shown to the post's author alone, who decides whether to release it; it
      // must not reach anyone else, or holding it would not stop its mentions.
      if (status !== "visible") {
        return notify(
          db,
          event,
          authorId,
          drafts.filter((draft) => draft.recipientId === postAuthorId),
        );
      }
      for (const recipientId of await mentioned(resolveHandles, event.data.mentions)) {
        drafts.push({ type: "mention", recipientId, ...about });
      }
      return notify(db, event, authorId, drafts);
    }
    case "post.deleted":
      return [
        bury(db, event, "post", event.data.postId),
        db.delete(likeStates).where(eq(likeStates.postId, event.data.postId)),
        db.delete(notifications).where(eq(notifications.postId, event.data.postId)),
      ];
    case "comment.deleted":
      return [
        bury(db, event, "comment", event.data.commentId),
        db.delete(notifications).where(eq(notifications.commentId, event.data.commentId)),
      ];
    case "user.deleted":
      return [
        bury(db, event, "user", event.data.userId),
        db.delete(relations).where(eq(relations.userId, event.data.userId)),
        db.delete(relations).where(eq(relations.otherId, event.data.userId)),
        db.delete(likeStates).where(eq(likeStates.userId, event.data.userId)),
        db.delete(notifications).where(eq(notifications.recipientId, event.data.userId)),
        db.delete(notifications).where(eq(notifications.actorId, event.data.userId)),
        db.delete(followNotices).where(eq(followNotices.actorId, event.data.userId)),
        db.delete(followNotices).where(eq(followNotices.recipientId, event.data.userId)),
      ];
    default:
      return [];
  }
}

/** How long one follow notification stands for every follow of the same pair. */
export const FOLLOW_NOTICE_MS = 24 * 60 * 60 * 1000;

/**
 * Gives this follow event the pair's notification slot when nobody holds it, or when the holder's
 * notification is more than FOLLOW_NOTICE_MS older than this follow. A replay keeps its own slot.
 */
function claimFollowNotice(db: Db, event: Event, actorId: string, recipientId: string): Statement {
  const dayBefore = new Date(Date.parse(event.occurredAt) - FOLLOW_NOTICE_MS).toISOString();
  return db
    .insert(followNotices)
    .values({ actorId, recipientId, eventId: event.id, notifiedAt: event.occurredAt })
    .onConflictDoUpdate({
      target: [followNotices.actorId, followNotices.recipientId],
      set: { eventId: event.id, notifiedAt: event.occurredAt },
      setWhere: lte(followNotices.notifiedAt, dayBefore),
    });
}

/**
 * Makes this like or unlike the pair's recorded state when it is newer: by the posts service's
 * revision, counted at commit, then by event id (events from before revisions count as 0).
 */
function recordLikeState(
  db: Db,
  event: EventOf<"post.liked" | "post.unliked">,
  liked: boolean,
): Statement {
  const { userId, postId } = event.data;
  const revision = event.data.revision ?? 0;
  return db
    .insert(likeStates)
    .values({ userId, postId, liked, revision, eventId: event.id })
    .onConflictDoUpdate({
      target: [likeStates.userId, likeStates.postId],
      set: { liked, revision, eventId: event.id },
      setWhere: sql`(${likeStates.revision}, ${likeStates.eventId}) < (${revision}, ${event.id})`,
    });
}

/**
 * Takes back every like notification of the pair but the one of the like recorded as its newest
 * change, if that is a like: a like that committed before a newer unlike, or before a newer like
 * whose own notification stands, no longer does, whatever order their events arrived in.
 */
function standingLikeOnly(db: Db, event: EventOf<"post.liked" | "post.unliked">): Statement {
  const { userId, postId, postAuthorId } = event.data;
  return db
    .delete(notifications)
    .where(
      and(
        eq(notifications.postId, postId),
        eq(notifications.type, "like"),
        eq(notifications.actorId, userId),
        eq(notifications.recipientId, postAuthorId),
        sql`NOT EXISTS (SELECT 1 FROM ${likeStates} WHERE ${likeStates.userId} = ${userId} AND ${likeStates.postId} = ${postId} AND ${likeStates.liked} = 1 AND ${likeStates.eventId} = ${notifications.eventId})`,
      ),
    );
}

/** Records that a user, post or comment is gone, so that late events about it notify no one. */
function bury(db: Db, event: Event, kind: "user" | "post" | "comment", id: string): Statement {
  return db
    .insert(tombstones)
    .values({ id, kind, deletedAt: event.occurredAt })
    .onConflictDoNothing();
}

async function mentioned(resolveHandles: ResolveHandles, handles: string[]): Promise<string[]> {
  const wanted = [...new Set(handles.map((handle) => handle.toLowerCase()))];
  return wanted.length > 0 ? resolveHandles(wanted) : [];
}

/**
 * Inserts one notification per recipient, the first draft for each winning (drafts come in order of
 * priority), and none for the actor: nobody is told about what they did themselves.
 */
function notify(db: Db, event: Event, actorId: string, drafts: Draft[]): Statement[] {
  const recipients = new Set<string>([actorId]);
  const rows: Array<typeof notifications.$inferInsert> = [];
  for (const draft of drafts) {
    if (recipients.has(draft.recipientId)) continue;
    recipients.add(draft.recipientId);
    rows.push({
      id: newId(),
      recipientId: draft.recipientId,
      type: draft.type,
      actorId,
      postId: draft.postId ?? null,
      commentId: draft.commentId ?? null,
      eventId: event.id,
      createdAt: event.occurredAt,
    });
  }
  const statements: Statement[] = insertGroups(notifications, rows).map((group) =>
    db
      .insert(notifications)
      .values(group)
      // The unique (event, recipient) index is what guarantees one notification per event,
      // even for an event whose processed record is gone.
      .onConflictDoNothing(),
  );
  // In the same batch, so atomically: whatever of this event is about a user, post or comment
  // deleted before it was applied is taken back, even if the deletion was applied a moment earlier
  // by another consumer.
  if (statements.length > 0) {
    statements.push(
      db
        .delete(notifications)
        .where(
          and(
            eq(notifications.eventId, event.id),
            sql`EXISTS (SELECT 1 FROM ${tombstones} WHERE ${tombstones.id} IN (${notifications.actorId}, ${notifications.recipientId}, ${notifications.postId}, ${notifications.commentId}))`,
          ),
        ),
      // Likewise, silently, whatever goes to someone across a block from the actor, or who mutes them.
      db
        .delete(notifications)
        .where(
          and(
            eq(notifications.eventId, event.id),
            or(
              blockedBetween(actorId, [sql`${notifications.recipientId}`]),
              mutedBy(sql`${notifications.recipientId}`, [actorId]),
            ),
          ),
        ),
    );
  }
  return statements;
}
