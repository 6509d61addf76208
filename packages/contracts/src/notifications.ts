import { z } from "zod";
import type { CallContext, Health, ListQuery, Page } from "./common";
import { Id, Timestamp } from "./common";
import type { Result } from "./errors";
import { ProfileSummary } from "./users";

export const NotificationType = z.enum([
  "follow",
  "friend_request",
  "friend_accept",
  "like",
  "comment",
  "reply",
  "share",
  "mention",
]);
export type NotificationType = z.infer<typeof NotificationType>;

export type NotificationRecord = {
  id: string;
  type: NotificationType;
  actorId: string;
  postId: string | null;
  commentId: string | null;
  read: boolean;
  createdAt: string;
};

export const Notification = z.object({
  id: Id,
  type: NotificationType,
  actor: ProfileSummary.nullable(),
  postId: Id.nullable(),
  commentId: Id.nullable(),
  read: z.boolean(),
  createdAt: Timestamp,
});
export type Notification = z.infer<typeof Notification>;

export const NotificationPage = z.object({
  items: z.array(Notification),
  nextCursor: z.string().nullable(),
  unreadCount: z.number().int(),
});

export const MarkReadInput = z.object({ upTo: Id.optional() });
export type MarkReadInput = z.infer<typeof MarkReadInput>;

export const UnreadCount = z.object({ unreadCount: z.number().int() });

/** The notifications service as other workers call it. */
export interface NotificationsRpc {
  list(
    ctx: CallContext,
    query: ListQuery,
  ): Promise<Result<Page<NotificationRecord> & { unreadCount: number }>>;
  markRead(ctx: CallContext, input: MarkReadInput): Promise<Result<{ unreadCount: number }>>;
  health(): Promise<Health>;
}
