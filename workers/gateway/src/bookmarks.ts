import { Bookmarks, type Result, Service } from "@flock/contracts";
import { newerBookmark } from "@flock/kit";
import { hmacKey } from "@flock/kit/auth";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Env } from "./env";

/**
 * The header that carries a client's bookmarks (decision 0015): on every response that touched a
 * database, and honoured on a request. Opaque to clients: `<payload>.<tag>`, the payload base64url of
 * the JSON map service → D1 bookmark, the tag an HMAC of it under a key derived from JWT_SECRET, so a
 * bookmark the services did not hand out never reaches D1. A client may send back several tokens
 * (comma-separated, say the answers of requests it made at once): they are merged.
 */
export const BOOKMARK_HEADER = "Flock-Bookmark";

/** Longer headers are ignored unread; a token is about 100 characters per service. */
const MAX_HEADER_LENGTH = 4096;
const MAX_TOKENS = 4;
const TAG_BYTES = 16;

const encoder = new TextEncoder();
function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

async function tagOf(secret: string, payload: string): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(`flock-bookmark:${secret}`, "sign"),
    encoder.encode(payload),
  );
  return base64url(new Uint8Array(mac).slice(0, TAG_BYTES));
}

/** Compares in time independent of where two strings differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** The newer bookmark of each service from both maps. */
export function mergeBookmarks(a: Bookmarks, b: Bookmarks): Bookmarks {
  const merged: Bookmarks = { ...a };
  for (const service of Service.options) {
    const newer = newerBookmark(a[service], b[service]);
    if (newer !== undefined) merged[service] = newer;
  }
  return merged;
}

/** The header value for a map of bookmarks. */
export async function encodeBookmarks(secret: string, bookmarks: Bookmarks): Promise<string> {
  const payload = base64url(encoder.encode(JSON.stringify(bookmarks)));
  return `${payload}.${await tagOf(secret, payload)}`;
}

/**
 * The bookmarks a request's header carries, merged: anything missing, too long, malformed or not
 * tagged by this gateway's key is no bookmark at all (the reads go anywhere), never an error.
 */
export async function decodeBookmarks(
  secret: string,
  header: string | undefined,
): Promise<Bookmarks> {
  let bookmarks: Bookmarks = {};
  if (!header || header.length > MAX_HEADER_LENGTH) return bookmarks;
  for (const token of header.split(",").slice(0, MAX_TOKENS)) {
    const [payload, tag, extra] = token.trim().split(".");
    if (!payload || !tag || extra !== undefined) continue;
    if (!sameText(tag, await tagOf(secret, payload))) continue;
    const bytes = fromBase64url(payload);
    if (!bytes) continue;
    try {
      const parsed = Bookmarks.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
      if (parsed.success) bookmarks = mergeBookmarks(bookmarks, parsed.data);
    } catch {
      // Not JSON: no bookmark.
    }
  }
  return bookmarks;
}

/** Notes the bookmark a service's answer carries, so later calls and the response carry it on. */
export function noteBookmark(c: Context<AppEnv>, service: string, result: Result<unknown>): void {
  const which = Service.safeParse(service);
  if (!which.success || !result.bookmark) return;
  const seen = c.get("bookmarks") ?? {};
  c.set("bookmarks", mergeBookmarks(seen, { [which.data]: result.bookmark }));
}

/**
 * Reads the client's Flock-Bookmark into the request's bookmarks (every call passes them on in its
 * context), and answers with the bookmarks merged with those the services returned.
 */
export const bookmarks = createMiddleware<AppEnv>(async (c, next) => {
  const secret = (c.env as Pick<Env, "JWT_SECRET">).JWT_SECRET;
  c.set("bookmarks", await decodeBookmarks(secret, c.req.header(BOOKMARK_HEADER)));
  await next();
  const seen = c.get("bookmarks");
  if (Object.keys(seen).length === 0) return;
  const value = await encodeBookmarks(secret, seen);
  try {
    c.res.headers.set(BOOKMARK_HEADER, value);
  } catch {
    // An immutable response (a fetched asset): copy it to add the header.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(BOOKMARK_HEADER, value);
  }
});
