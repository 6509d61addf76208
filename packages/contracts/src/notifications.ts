import { z } from "zod";
import type { CallContext, Health, ListQuery } from "./common";
import { Id, Missing, orNull, Page, Timestamp } from "./common";
import type { Result } from "./errors";
import { ProfileSummary } from "./users";

export const NotificationType = z
  .enum([
    "follow",
    "friend_request",
    "friend_accept",
    "like",
    "comment",
    "reply",
    "share",
    "mention",
  ])
  .meta({ id: "NotificationType" });
export type NotificationType = z.infer<typeof NotificationType>;

/**
 * A notification as the notifications service keeps it: the actor is an id, composed into a profile
 * by the gateway (null once that account is gone).
 */
export type NotificationRecord = {
  id: string;
  type: NotificationType;
  actorId: string;
  postId: string | null;
  commentId: string | null;
  read: boolean;
  createdAt: string;
};

export const Notification = z
  .object({
    id: Id,
    type: NotificationType,
    actor: orNull(ProfileSummary),
    postId: Id.nullable(),
    commentId: Id.nullable(),
    read: z.boolean(),
    createdAt: Timestamp,
  })
  .meta({ id: "Notification" });
export type Notification = z.infer<typeof Notification>;

/** GET /v1/notifications: a page, how many of all are unread, and what could not be looked up. */
export const NotificationPage = Page(Notification)
  .extend({ unreadCount: z.number().int(), missing: Missing.optional() })
  .meta({ id: "NotificationPage" });
export type NotificationPage = z.infer<typeof NotificationPage>;

/** A page of the signed-in user's notifications, and how many of all of them are unread. */
export type NotificationList = Page<NotificationRecord> & { unreadCount: number };

/** Marks read the signed-in user's notifications up to and including `upTo`; all of them without it. */
export const MarkReadInput = z.object({ upTo: Id.optional() }).meta({ id: "MarkReadInput" });
export type MarkReadInput = z.infer<typeof MarkReadInput>;

export const UnreadCount = z.object({ unreadCount: z.number().int() }).meta({ id: "UnreadCount" });
export type UnreadCount = z.infer<typeof UnreadCount>;

/** The notifications service as other workers call it. */
export interface NotificationsRpc {
  /** The signed-in user's notifications, newest first. */
  list(ctx: CallContext, query: ListQuery): Promise<Result<NotificationList>>;
  markRead(ctx: CallContext, input: MarkReadInput): Promise<Result<UnreadCount>>;
  health(): Promise<Health>;
}
