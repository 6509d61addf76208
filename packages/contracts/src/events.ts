import { z } from "zod";
import { CommentStatus } from "./comments";
import { Bookmark, Id, Timestamp, TRACEPARENT } from "./common";

export const Service = z.enum(["users", "posts", "comments", "notifications", "media", "search"]);
export type Service = z.infer<typeof Service>;

function event<const T extends string, D extends z.ZodRawShape>(type: T, data: D) {
  return z.object({
    id: Id,
    type: z.literal(type),
    version: z.literal(1),
    occurredAt: Timestamp,
    producer: Service,
    requestId: z.string(),
    /**
     * The producer's database as of this event's write, or later: stamped by the relay (the outbox
     * row is committed before it is sent), so a consumer reading the producer back reads that fresh.
     */
    bookmark: Bookmark.optional(),
    /**
     * The span that wrote the event: applying it is that span's child, across the queue. One that is
     * not valid is dropped, never a reason to refuse the event.
     */
    traceparent: z.string().regex(TRACEPARENT).optional().catch(undefined),
    data: z.object(data),
  });
}

/**
 * Where the change stands among all changes of its subject, counted by the producer in the change's
 * own transaction: consumers order by it, since an event id says when the event was made, not when
 * its write committed (decision 0019). Absent on events written before revisions existed.
 */
const Revision = z.number().int().nonnegative().optional();
const follow = { followerId: Id, followeeId: Id, revision: Revision };
const profile = {
  userId: Id,
  handle: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
  revision: Revision,
};
const friendRequest = { friendRequestId: Id, fromId: Id, toId: Id };
const block = { blockerId: Id, blockedId: Id, revision: Revision };
const mute = { muterId: Id, mutedId: Id, revision: Revision };
const like = { postId: Id, postAuthorId: Id, userId: Id, revision: Revision };

/** Every event any service emits: one discriminated union on `type`. */
export const Event = z.discriminatedUnion("type", [
  // Both carry the profile summary, which the posts service keeps beside posts to answer without a call.
  event("user.registered", profile),
  event("user.updated", profile),
  event("user.deleted", { userId: Id }),
  event("user.followed", follow),
  event("user.unfollowed", follow),
  event("friend.requested", friendRequest),
  event("friend.accepted", friendRequest),
  event("post.created", {
    postId: Id,
    authorId: Id,
    sharedPostId: Id.nullable(),
    sharedPostAuthorId: Id.nullable(),
    mentions: z.array(z.string()),
    // True when the request that wrote the post delivered it to every follower's timeline (or
    // merged it): the posts inbox has no fan-out left to do, so the event does not go there.
    fannedOut: z.boolean().optional(),
    // False when the post attached no images: the media inbox has none to confirm.
    hasMedia: z.boolean().optional(),
  }),
  event("post.deleted", { postId: Id, authorId: Id, sharedPostId: Id.nullable() }),
  // A post's text, tags or status changed (an edit, a hold, a hide, a release): whoever keeps a copy
  // of what it says reads it again from the posts service.
  event("post.updated", { postId: Id, authorId: Id }),
  event("post.liked", like),
  event("post.unliked", like),
  event("comment.created", {
    commentId: Id,
    postId: Id,
    postAuthorId: Id,
    authorId: Id,
    parentId: Id.nullable(),
    parentAuthorId: Id.nullable(),
    status: CommentStatus,
    mentions: z.array(z.string()),
  }),
  event("comment.deleted", { commentId: Id, postId: Id, authorId: Id, wasVisible: z.boolean() }),
  event("comment.visibility_changed", { commentId: Id, postId: Id, visible: z.boolean() }),
  // A service's note to its own inbox that an event's work goes on: each event's effect must fit one
  // D1 batch with its processed record, so a large fan-out or cascade is done a page per event.
  event("post.fanout_continued", { postId: Id, authorId: Id, cursor: z.string() }),
  event("user.posts_removal_continued", { userId: Id }),
  event("user.comments_removal_continued", { userId: Id }),
  // Blocks and mutes are owned by the users service; the services that honour them keep a copy of
  // the pairs (kit's relations table), so their reads stay one hop.
  event("user.blocked", block),
  event("user.unblocked", block),
  event("user.muted", mute),
  event("user.unmuted", mute),
  // A moderator suspended or unsuspended an account: the services that own its writes keep a copy,
  // so a write that races the suspension past the gateway is still refused where it lands.
  event("user.suspended", { userId: Id }),
  event("user.unsuspended", { userId: Id }),
]);
export type Event = z.infer<typeof Event>;
export type EventType = Event["type"];
export type EventOf<T extends EventType> = Extract<Event, { type: T }>;
export type EventData<T extends EventType> = EventOf<T>["data"];

/** Which inboxes receive each event type. A producer sends every event to each inbox listed. */
export const subscriptions = {
  "user.registered": ["posts", "search"],
  "user.updated": ["posts", "media", "search"],
  "user.deleted": ["posts", "comments", "notifications", "media", "search"],
  "user.followed": ["posts", "notifications"],
  "user.unfollowed": ["posts"],
  "friend.requested": ["notifications"],
  "friend.accepted": ["notifications"],
  "post.created": ["posts", "users", "notifications", "media", "search"],
  "post.deleted": ["posts", "users", "comments", "notifications", "media", "search"],
  "post.updated": ["search"],
  "post.liked": ["notifications"],
  "post.unliked": ["notifications"],
  "comment.created": ["posts", "notifications"],
  "comment.deleted": ["posts", "notifications"],
  "comment.visibility_changed": ["posts"],
  "post.fanout_continued": ["posts"],
  "user.posts_removal_continued": ["posts"],
  "user.comments_removal_continued": ["comments"],
  "user.blocked": ["posts", "comments", "notifications", "search"],
  "user.unblocked": ["posts", "comments", "notifications", "search"],
  "user.muted": ["posts", "notifications"],
  "user.unmuted": ["posts", "notifications"],
  "user.suspended": ["posts", "comments"],
  "user.unsuspended": ["posts", "comments"],
} as const satisfies Record<EventType, readonly Service[]>;

/**
 * The inboxes one event goes to: its type's subscribers, less those it gives nothing to do. A post
 * that shares nothing and mentions no one notifies no one, a post the request fanned out whole
 * leaves the posts inbox nothing to fan out, and a post without images gives the media inbox
 * nothing to confirm. An inbox that gets such an event anyway (a replayed
 * dead letter) applies it as before.
 */
export function inboxesFor(event: Event): readonly Service[] {
  const inboxes: readonly Service[] = subscriptions[event.type];
  if (event.type !== "post.created") return inboxes;
  const { sharedPostAuthorId, mentions, fannedOut, hasMedia } = event.data;
  return inboxes.filter(
    (inbox) =>
      (inbox !== "notifications" || sharedPostAuthorId !== null || mentions.length > 0) &&
      (inbox !== "posts" || fannedOut !== true) &&
      (inbox !== "media" || hasMedia !== false),
  );
}

/** The event types an inbox consumes, so a consumer can tell an unexpected message from its own. */
export function eventsFor(inbox: Service): EventType[] {
  return (Object.keys(subscriptions) as EventType[]).filter((type) =>
    (subscriptions[type] as readonly Service[]).includes(inbox),
  );
}
