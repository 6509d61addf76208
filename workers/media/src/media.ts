import { MAX_UPLOAD_BYTES, mediaUrl, type Upload } from "@flock/contracts";
import { AppError, actor, describeError, inList, newId, runBatch } from "@flock/kit";
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { media } from "./db/schema";
import { checkImage } from "./images";
import type { Scope } from "./scope";

/** Reads a body up to `limit` bytes; one that goes on past it is payload_too_large, read no further. */
export async function readLimited(
  body: ReadableStream<Uint8Array>,
  limit = MAX_UPLOAD_BYTES,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

export function tooLarge(): AppError {
  return new AppError(
    "payload_too_large",
    `Images are limited to ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB.`,
  );
}

/**
 * Stores an upload for the signed-in user: checked by its bytes, stripped of its metadata. The row
 * goes in first and is marked stored once the object is, so an object never exists without its row;
 * a row left unstored (the put failed) is swept by the cron.
 */
export async function upload(
  scope: Scope,
  declared: string,
  body: ReadableStream<Uint8Array>,
): Promise<Upload> {
  const ownerId = actor(scope);
  const image = checkImage(await readLimited(body), declared);
  const id = newId();
  const { db } = scope;
  await db.insert(media).values({
    id,
    ownerId,
    contentType: image.contentType,
    width: image.width,
    height: image.height,
    bytes: image.bytes.length,
    createdAt: Date.now(),
  });
  try {
    await scope.bucket.put(id, image.bytes, { httpMetadata: { contentType: image.contentType } });
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "warn",
        requestId: scope.ctx.requestId,
        message: "media put failed",
        error: describeError(error),
      }),
    );
    throw new AppError("unavailable", "Storage is briefly unavailable; try again.");
  }
  await db.update(media).set({ storedAt: Date.now() }).where(eq(media.id, id));
  return {
    id,
    url: mediaUrl(id),
    contentType: image.contentType,
    width: image.width,
    height: image.height,
    bytes: image.bytes.length,
  };
}

/** The row of an image that may be served: stored, and not on its way out. */
export async function findServable(scope: Pick<Scope, "db">, id: string) {
  const [row] = await scope.db
    .select({ id: media.id, contentType: media.contentType, bytes: media.bytes })
    .from(media)
    .where(and(eq(media.id, id), isNotNull(media.storedAt), isNull(media.deletingAt)))
    .limit(1);
  return row ?? null;
}

/** How many rows one sweep deletes: R2 deletes up to 1,000 keys at once, D1 binds them as one JSON. */
const SWEEP_BATCH = 100;

/**
 * Deletes the objects of rows marked for deletion, then the rows: an object first, so a failure
 * between the two leaves a row without an object (swept again next time), never an object without a
 * row. Returns how many went.
 */
export async function sweep(scope: Pick<Scope, "db" | "bucket">): Promise<number> {
  const rows = await scope.db
    .select({ id: media.id })
    .from(media)
    .where(isNotNull(media.deletingAt))
    .limit(SWEEP_BATCH);
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return 0;
  await scope.bucket.delete(ids);
  await runBatch(scope.db, [scope.db.delete(media).where(inList(media.id, ids))]);
  return ids.length;
}
