import { env, exports } from "cloudflare:workers";
import { MAX_UPLOAD_BYTES } from "@flock/contracts";
import { createDb, newId } from "@flock/kit";
import { contains, image } from "@flock/testing/images";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { media } from "./db/schema";

const service = exports.MediaService;
const as = (actorId: string | null) => ({ requestId: "test", actorId });

function stream(bytes: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

const serve = (id: string, headers: Record<string, string> = {}) =>
  exports.default.fetch(new Request(`http://media/media/${id}`, { headers }));

describe("uploads", () => {
  it("stores a JPEG without its EXIF and serves it with the stored type and safe headers", async () => {
    const owner = newId();
    const uploaded = await service.upload(as(owner), "image/jpeg", stream(image("jpeg")));
    expect(uploaded).toMatchObject({
      ok: true,
      value: { contentType: "image/jpeg", width: 16, height: 8 },
    });
    if (!uploaded.ok) return;
    const { id, url, bytes } = uploaded.value;
    expect(url).toBe(`/media/${id}`);
    const object = await env.BUCKET.get(id);
    const stored = new Uint8Array(await (object?.arrayBuffer() ?? new ArrayBuffer(0)));
    expect(stored.length).toBe(bytes);
    expect(contains(stored, "Ada Lovelace")).toBe(false);
    const [row] = await createDb(env.DB).select().from(media).where(eq(media.id, id));
    expect(row).toMatchObject({ ownerId: owner, contentType: "image/jpeg", bytes });
    expect(row?.storedAt).toEqual(expect.any(Number));

    const response = await serve(id);
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "image/jpeg",
      "content-length": String(bytes),
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'",
      "cache-control": "public, max-age=31536000, immutable",
    });
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(stored);
  });

  it("serves byte ranges, and 416 for one past the end", async () => {
    const uploaded = await service.upload(as(newId()), "image/png", stream(image("png")));
    if (!uploaded.ok) throw new Error("upload failed");
    const { id, bytes } = uploaded.value;
    const first = await serve(id, { range: "bytes=0-7" });
    expect(first.status).toBe(206);
    expect(first.headers.get("content-range")).toBe(`bytes 0-7/${bytes}`);
    expect([...new Uint8Array(await first.arrayBuffer())]).toEqual([
      ...image("png").subarray(0, 8),
    ]);
    const last = await serve(id, { range: "bytes=-4" });
    expect(last.status).toBe(206);
    expect(new Uint8Array(await last.arrayBuffer())).toHaveLength(4);
    const past = await serve(id, { range: `bytes=${bytes}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${bytes}`);
  });

  it("refuses what is not an image, a mismatched type, a truncated image and a signed-out caller", async () => {
    const bad = async (actor: string | null, type: string, bytes: Uint8Array) => {
      const result = await service.upload(as(actor), type, stream(bytes));
      return result.ok ? "ok" : result.error.code;
    };
    expect(await bad(newId(), "text/plain", new TextEncoder().encode("hello"))).toBe(
      "unsupported_media_type",
    );
    expect(await bad(newId(), "image/gif", image("png"))).toBe("unsupported_media_type");
    expect(await bad(newId(), "image/gif", image("gif").subarray(0, 20))).toBe("validation");
    expect(await bad(null, "image/png", image("png"))).toBe("unauthorized");
  });

  it("stops reading a body past 5 MiB and stores nothing", async () => {
    const owner = newId();
    const huge = new Uint8Array(MAX_UPLOAD_BYTES + 1);
    huge.set(image("png"));
    const result = await service.upload(as(owner), "image/png", stream(huge, 1024 * 1024));
    expect(result).toMatchObject({ ok: false, error: { code: "payload_too_large" } });
    const rows = await createDb(env.DB).select().from(media).where(eq(media.ownerId, owner));
    expect(rows).toEqual([]);
  });

  it("answers 404 for an unknown id, an id of the wrong shape, and a row on its way out", async () => {
    expect((await serve(newId())).status).toBe(404);
    expect((await serve("../etc")).status).toBe(404);
    const uploaded = await service.upload(as(newId()), "image/gif", stream(image("gif")));
    if (!uploaded.ok) throw new Error("upload failed");
    await createDb(env.DB)
      .update(media)
      .set({ deletingAt: Date.now() })
      .where(eq(media.id, uploaded.value.id));
    expect(await env.BUCKET.head(uploaded.value.id)).not.toBeNull();
    expect((await serve(uploaded.value.id)).status).toBe(404);
  });

  it("reports its health", async () => {
    expect(await service.health()).toMatchObject({ service: "media", database: "ok" });
  });
});
