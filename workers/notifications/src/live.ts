import type { Event, LiveMessage, ProfileSummary } from "@flock/contracts";
import { type Db, inList } from "@flock/kit";
import { and, count, isNull } from "drizzle-orm";
import { notifications } from "./db/schema";
import { toRecord } from "./notifications";

/**
 * Sends a message to these users' live sockets; answers those who had one open. `cause` is the event
 * the message tells of: its push is part of that event's trace.
 */
export type Push = (userIds: string[], message: LiveMessage, cause?: Event) => Promise<string[]>;

/** The profiles of these users, as notifications embed their actor. */
export type Profiles = (ids: string[]) => Promise<ProfileSummary[]>;

/**
 * The live pushes for a batch of the notifications inbox, once applied: each notification it left
 * standing (after the block, mute and tombstone checks of its own batch) to its recipient, in the
 * shape GET /v1/notifications lists it, then each recipient's unread count. Actors the users service
 * cannot name now are sent as null, as the list does when users is down.
 */
export async function pushNotifications(
  db: Db,
  push: Push,
  profiles: Profiles,
  events: Event[],
): Promise<void> {
  const rows = await db
    .select()
    .from(notifications)
    .where(
      inList(
        notifications.eventId,
        events.map((event) => event.id),
      ),
    );
  if (rows.length === 0) return;
  const recipients = [...new Set(rows.map((row) => row.recipientId))];
  const [actors, counted] = await Promise.all([
    profiles([...new Set(rows.map((row) => row.actorId))]).catch(() => []),
    db
      .select({ recipientId: notifications.recipientId, unread: count() })
      .from(notifications)
      .where(and(inList(notifications.recipientId, recipients), isNull(notifications.readAt)))
      .groupBy(notifications.recipientId),
  ]);
  const actorsById = new Map(actors.map((actor) => [actor.id, actor]));
  const unread = new Map(counted.map((row) => [row.recipientId, row.unread]));
  const causes = new Map(events.map((event) => [event.id, event]));
  // A recipient's new count is told as part of the first of its notifications in the batch.
  const countCause = new Map<string, Event | undefined>();
  for (const row of [...rows].reverse()) countCause.set(row.recipientId, causes.get(row.eventId));
  await Promise.all([
    ...rows.map((row) => {
      const { actorId, ...fields } = toRecord(row);
      const notification = { ...fields, actor: actorsById.get(actorId) ?? null };
      return push(
        [row.recipientId],
        { type: "notification", notification },
        causes.get(row.eventId),
      );
    }),
    ...recipients.map((id) =>
      push([id], { type: "unread", count: unread.get(id) ?? 0 }, countCause.get(id)),
    ),
  ]);
}
