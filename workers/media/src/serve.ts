import { Id } from "@flock/contracts";
import { createDb } from "@flock/kit";
import { Hono } from "hono";
import type { Env } from "./env";
import { findServable } from "./media";

/** Stored images never change under their id: caches may keep them for a year without asking. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/** Headers every served image carries: its own type only, and nothing it could run or load. */
function imageHeaders(contentType: string): Headers {
  return new Headers({
    "content-type": contentType,
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'",
    "cache-control": IMMUTABLE,
    "accept-ranges": "bytes",
  });
}

/**
 * One `bytes=` range of an object of `size` bytes: null for none or one not understood (the whole
 * object is served, as RFC 9110 allows), "unsatisfiable" for one that starts past the end.
 */
export function rangeOf(
  header: string | undefined,
  size: number,
): { offset: number; length: number } | "unsatisfiable" | null {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return null;
  const [, from = "", to = ""] = match;
  if (from === "" && to === "") return null;
  if (from === "") {
    const suffix = Math.min(Number(to), size);
    return suffix === 0 ? "unsatisfiable" : { offset: size - suffix, length: suffix };
  }
  const offset = Number(from);
  if (offset >= size) return "unsatisfiable";
  const last = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  if (last < offset) return null;
  return { offset, length: last - offset + 1 };
}

/**
 * GET /media/:id, forwarded by the gateway: the stored bytes, whole or one range. An id without a
 * servable row is a 404 with no body (the gateway answers it as a problem), even if its object is
 * still there.
 */
export const images = new Hono<{ Bindings: Env }>().get("/media/:id", async (c) => {
  const id = c.req.param("id");
  const row = Id.safeParse(id).success ? await findServable({ db: createDb(c.env.DB) }, id) : null;
  if (!row) return c.body(null, 404);
  const headers = imageHeaders(row.contentType);
  const range = rangeOf(c.req.header("range"), row.bytes);
  if (range === "unsatisfiable") {
    headers.set("content-range", `bytes */${row.bytes}`);
    return new Response(null, { status: 416, headers });
  }
  const object = await c.env.BUCKET.get(id, range ? { range } : {});
  if (!object) return c.body(null, 404);
  headers.set("etag", object.httpEtag);
  if (!range) {
    headers.set("content-length", String(object.size));
    return new Response(object.body, { status: 200, headers });
  }
  headers.set("content-length", String(range.length));
  headers.set(
    "content-range",
    `bytes ${range.offset}-${range.offset + range.length - 1}/${object.size}`,
  );
  return new Response(object.body, { status: 206, headers });
});
