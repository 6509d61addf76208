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
  health(): Promise<Health>;
}
