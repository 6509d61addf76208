import { env } from "cloudflare:workers";
import type {
  Event,
  EventData,
  EventOf,
  EventType,
  NotificationRecord,
  Service,
} from "@flock/contracts";
import { applyOnce, createDb, makeEvent, newId } from "@flock/kit";
import { processedEvents } from "../src/db/schema";
import { applyEvent, type ResolveHandles } from "../src/events";
import { listNotifications } from "../src/notifications";
import type { Scope } from "../src/scope";

export function scopeOf(actorId: string | null = null): Scope {
  return { db: createDb(env.DB), ctx: { requestId: "test", actorId } };
}

/** A user id no other test uses: notifications only know users by id. */
export function newUserId(): string {
  return newId();
}

const producers: Record<EventType, Service> = {
  "user.registered": "users",
  "user.updated": "users",
  "user.deleted": "users",
  "user.followed": "users",
  "user.unfollowed": "users",
  "friend.requested": "users",
  "friend.accepted": "users",
  "post.created": "posts",
  "post.deleted": "posts",
  "post.updated": "posts",
  "post.liked": "posts",
  "post.unliked": "posts",
  "comment.created": "comments",
  "comment.deleted": "comments",
  "comment.visibility_changed": "comments",
  "post.fanout_continued": "posts",
  "user.posts_removal_continued": "posts",
  "user.comments_removal_continued": "comments",
  "user.blocked": "users",
  "user.unblocked": "users",
  "user.muted": "users",
  "user.unmuted": "users",
  "user.suspended": "users",
  "user.unsuspended": "users",
};

/** An event as its producer would emit it. */
export function eventOf<T extends EventType>(type: T, data: EventData<T>): EventOf<T> {
  // makeEvent builds the envelope of exactly this type; the union it declares loses that.
  return makeEvent(producers[type], { requestId: "test" }, type, data) as EventOf<T>;
}

/** The handles of the users a test defines, resolved the way the users service would. */
export function directory(users: Record<string, string> = {}): ResolveHandles {
  return async (handles) =>
    handles.flatMap((handle) => {
      const id = users[handle];
      return id === undefined ? [] : [id];
    });
}

/** Applies an event exactly as the queue consumer does: once, in one batch with its record. */
export async function apply(event: Event, resolveHandles: ResolveHandles = directory()) {
  const db = createDb(env.DB);
  return applyOnce(
    { db, processed: processedEvents, handle: (e) => applyEvent(db, e, resolveHandles) },
    event,
  );
}

/** Every notification of a user, newest first. */
export async function inboxOf(userId: string): Promise<NotificationRecord[]> {
  return (await listNotifications(scopeOf(userId), { limit: 100 })).items;
}

export { failureCode } from "@flock/testing/expect";
