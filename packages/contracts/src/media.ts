import { z } from "zod";
import type { CallContext, Health } from "./common";
import { Id } from "./common";
import type { Result } from "./errors";

/** The image types flock stores, each recognised by its bytes (the header only has to agree). */
export const MediaType = z
  .enum(["image/jpeg", "image/png", "image/webp", "image/gif"])
  .meta({ id: "MediaType" });
export type MediaType = z.infer<typeof MediaType>;

/** The largest upload accepted (5 MiB): a phone photo fits, and one upload stays one Worker's memory. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** Where the gateway serves a stored image. */
export function mediaUrl(id: string): string {
  return `/media/${id}`;
}

/** POST /v1/media's answer: the stored image, stripped of its metadata. */
export const Upload = z
  .object({
    id: Id,
    url: z.string().describe("Where the image is served, on flock's own origin"),
    contentType: MediaType,
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    bytes: z.number().int().positive().describe("Size as stored, after its metadata was removed"),
  })
  .meta({ id: "Upload" });
export type Upload = z.infer<typeof Upload>;

/** What an upload is attached to: a post (by its id) or its uploader's avatar. */
export const MediaHolder = z.object({
  kind: z.enum(["post", "avatar"]),
  id: Id.describe("The post's id, or the uploader's own id for an avatar"),
});
export type MediaHolder = z.infer<typeof MediaHolder>;

/** An upload as its holder keeps a copy of it: enough to show it without asking the media service. */
export type ClaimedMedia = { id: string; url: string; width: number; height: number };

/** The media service as other workers call it; GET /media/:id is forwarded to its fetch handler. */
export interface MediaRpc {
  /**
   * Stores an image for the signed-in user: `contentType` as the client declared it, the bytes as a
   * stream, read up to MAX_UPLOAD_BYTES (payload_too_large beyond).
   */
  upload(
    ctx: CallContext,
    contentType: string,
    body: ReadableStream<Uint8Array>,
  ): Promise<Result<Upload>>;
  /**
   * Attaches the caller's uploads to a holder, in the order given: only the uploader may, an upload
   * held by anything else is a conflict, and attaching again to the same holder changes nothing. The
   * holder's own event (post.created, user.updated) confirms it; an attachment never confirmed is
   * released with the upload a day later, like an upload never attached.
   */
  claim(ctx: CallContext, holder: MediaHolder, ids: string[]): Promise<Result<ClaimedMedia[]>>;
  /**
   * Frees the caller's uploads a holder claimed but never confirmed: the holder's write failed, so
   * they may be attached again (a retried post) instead of waiting a day. Confirmed ones stay.
   */
  release(ctx: CallContext, holder: MediaHolder): Promise<Result<null>>;
  health(): Promise<Health>;
}
