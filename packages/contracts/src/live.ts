import { z } from "zod";
import { type CallContext, type Health, Id } from "./common";
import type { Result } from "./errors";
import { Notification } from "./notifications";
import { Post } from "./posts";

/** How long a live ticket may wait to be redeemed by `GET /v1/live?ticket=…`. */
export const LIVE_TICKET_MS = 60_000;

/** POST /v1/live/ticket: a single-use ticket for the live socket, and where to open it. */
export const LiveTicket = z
  .object({
    ticket: z.string().describe("Single use, valid 60 s, bound to the session that asked for it"),
    url: z.string().describe("The WebSocket URL to open, the ticket included"),
  })
  .meta({ id: "LiveTicket" });
export type LiveTicket = z.infer<typeof LiveTicket>;

/** GET /v1/live's query: the ticket POST /v1/live/ticket issued. */
export const LiveQuery = z.object({ ticket: z.string().max(200).optional() });

/** Each JSON text message the live socket sends. */
export const LiveMessage = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("notification"), notification: Notification }),
    z.object({ type: z.literal("unread"), count: z.number().int() }),
    z.object({
      type: z.literal("post"),
      post: Post.describe("A new post in your home timeline, as GET /v1/feed shows it"),
    }),
  ])
  .meta({ id: "LiveMessage" });
export type LiveMessage = z.infer<typeof LiveMessage>;

/**
 * The user a ticket is for, or null when it is not shaped like a ticket. A ticket is
 * `<user id>.<secret>`: the id only routes it to that user's object, which knows the secret's hash.
 */
export function ticketUser(ticket: string | null | undefined): Id | null {
  const parsed = Id.safeParse(ticket?.split(".")[0]);
  return parsed.success ? parsed.data : null;
}

/** A ticket as the live service issues it: the caller adds the URL. */
export type IssuedTicket = { ticket: string; expiresAt: string };

/** Which of a user's sockets to close: those of one session, or all but one session's (or all). */
export type EndedSessions = { userId: Id; sessionId: Id } | { userId: Id; except?: Id };

/** The live service as other workers call it. Pushes are best effort: a caller never waits on one to answer its own. */
export interface LiveRpc {
  /** A single-use ticket for the signed-in actor's current session (`ctx.sessionId`). */
  issueTicket(ctx: CallContext): Promise<Result<IssuedTicket>>;
  /** Sends the message to every socket of each user; answers the users who had one open. */
  push(ctx: CallContext, userIds: Id[], message: LiveMessage): Promise<Result<{ connected: Id[] }>>;
  /** Closes the sockets of ended sessions, so an ended session hears nothing more. */
  endSessions(ctx: CallContext, ended: EndedSessions): Promise<Result<{ closed: number }>>;
  /** Answers at all: the live worker has no database, so answering is all its health is. */
  health(): Promise<Health>;
}
