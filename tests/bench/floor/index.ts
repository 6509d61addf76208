// The floor of the benchmark: the database work of flock's home feed, user timeline, post page and
// compose, on the same migrated D1 databases, with nothing else. No framework, no ORM, no schema
// library, no RPC, no events: each route is hand-written SQL in the same D1 round trips flock makes,
// answering the same JSON. What the floor does and leaves out is in docs/PERFORMANCE.md ("The floor").
import type { Post, ProfileSummary } from "@flock/contracts";
import { monotonicFactory } from "ulidx";

type Env = {
  JWT_SECRET: string;
  CELEBRITY_FOLLOWERS: string;
  USERS_DB: D1Database;
  POSTS_DB: D1Database;
};

/** A posts row as D1 returns it: `tags` is the JSON text drizzle would parse. */
type PostRow = {
  id: string;
  author_id: string;
  body: string;
  title: string | null;
  description: string | null;
  tags: string;
  media: string;
  shared_post_id: string | null;
  status: Post["status"];
  like_count: number;
  comment_count: number;
  share_count: number;
  created_at: string;
  updated_at: string;
};
type AuthorRow = { id: string; handle: string; display_name: string; avatar_url: string | null };
/** The JSON it answers is flock's own, by type: only types come from the contracts, not zod. */
type Author = ProfileSummary;

/** A client's mistake, answered as flock answers it: a problem document, never a 500. */
class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
  ) {
    super(title);
  }
}

const SYNC_FANOUT = 100; // as the posts service: the first followers get a post in the request
const ulid = monotonicFactory();
const encoder = new TextEncoder();
const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": status < 400 ? "application/json" : "application/problem+json" },
  });

// ---- authentication: flock's HS256 tokens, checked with WebCrypto ----

// The secret is fixed for an isolate's life, so its key is imported once.
let hmacKey: Promise<CryptoKey> | undefined;

function base64urlBytes(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (char) =>
    char.charCodeAt(0),
  );
}

function base64urlJson(text: string): unknown {
  return JSON.parse(new TextDecoder().decode(base64urlBytes(text)));
}

/**
 * The user a bearer token names, checked as packages/kit's verifyToken checks it (HS256 signature,
 * expiry, issuer, audience, subject); null without a header. The session is not looked up: flock
 * answers that from a per-isolate cache in the steady state the benchmark measures.
 */
async function viewerOf(request: Request, env: Env): Promise<string | null> {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const [, token = ""] = /^(?:Bearer|Token)\s+(\S+)$/i.exec(header.trim()) ?? [];
  const [head = "", body = "", signature = ""] = token.split(".");
  hmacKey ??= crypto.subtle.importKey(
    "raw",
    encoder.encode(env.JWT_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  try {
    const valid = await crypto.subtle.verify(
      "HMAC",
      await hmacKey,
      base64urlBytes(signature),
      encoder.encode(`${head}.${body}`),
    );
    const { alg } = base64urlJson(head) as { alg?: unknown };
    const claims = base64urlJson(body) as {
      sub?: unknown;
      exp?: unknown;
      iss?: unknown;
      aud?: unknown;
    };
    const live = typeof claims.exp === "number" && claims.exp > Date.now() / 1000;
    const ours = claims.iss === "flock" && claims.aud === "flock-api";
    if (valid && alg === "HS256" && live && ours && typeof claims.sub === "string")
      return claims.sub;
  } catch {
    // Not base64url or not JSON: not a token of ours, refused below.
  }
  throw new Problem(401, "The token is not valid or has expired.");
}

async function signedIn(request: Request, env: Env): Promise<string> {
  const viewer = await viewerOf(request, env);
  if (viewer === null) throw new Problem(401, "Sign in first.");
  return viewer;
}

// ---- input, checked by hand as flock's contracts check it ----

function pageQuery(url: URL): { limit: number; before: string | undefined } {
  const limit = Number(url.searchParams.get("limit") ?? "20");
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new Problem(422, "limit must be an integer from 1 to 100");
  const cursor = url.searchParams.get("cursor") ?? "";
  if (cursor === "") return { limit, before: undefined };
  let before = "";
  try {
    before = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    // refused below
  }
  if (cursor.length > 200 || !/^[\x21-\x7e]{1,120}$/.test(before))
    throw new Problem(422, "cursor is not valid");
  return { limit, before };
}

function encodeCursor(key: string): string {
  return btoa(key).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function text(value: unknown, field: string, max: number): string | null {
  if (value === undefined) return null;
  const trimmed = typeof value === "string" ? value.trim() : "";
  if (trimmed.length < 1 || trimmed.length > max)
    throw new Problem(422, `${field} must be a string of 1 to ${max} characters`);
  return trimmed;
}

async function postInput(request: Request) {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    throw new Problem(400, "The body is not JSON.");
  }
  if (typeof raw !== "object" || raw === null)
    throw new Problem(422, "The body must be an object.");
  const input = raw as Record<string, unknown>;
  const tags = input.tags ?? [];
  if (!Array.isArray(tags) || tags.length > 10) throw new Problem(422, "tags: at most 10 tags");
  const names = tags.map((tag: unknown) => {
    const name = typeof tag === "string" ? tag.trim() : "";
    if (!/^[\p{L}\p{N}_-]{1,30}$/u.test(name))
      throw new Problem(422, "tags must be 1 to 30 letters, digits, '-' or '_'");
    return name.toLowerCase();
  });
  return {
    body: text(input.body ?? "", "body", 5000) ?? "",
    title: text(input.title, "title", 200),
    description: text(input.description, "description", 500),
    tags: [...new Set(names)],
  };
}

// ---- reads: the same statements as the posts service, in the same round trips ----

/** The rows of one statement of a batch, typed as the statement selects them. */
const rowsOf = <T>(result: D1Result | undefined) => (result?.results ?? []) as T[];
const inList = (column: string) => `${column} IN (SELECT value FROM json_each(?))`;

function toPost(
  row: PostRow,
  author: Author,
  viewer: { liked: boolean; shared: boolean } | null,
  sharedPost: Post | null | undefined,
): Post {
  return {
    id: row.id,
    body: row.body,
    title: row.title,
    description: row.description,
    tags: JSON.parse(row.tags) as string[],
    media: JSON.parse(row.media) as Post["media"],
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    likeCount: row.like_count,
    commentCount: row.comment_count,
    shareCount: row.share_count,
    ...(viewer ? { viewer } : {}),
    author,
    ...(sharedPost === undefined ? {} : { sharedPost }),
  };
}

/**
 * Posts rows as /v1 answers them, with their shared originals, authors (from the replica) and the
 * viewer's likes and shares: one batch, as the posts service's hydrate. A post whose author the
 * replica does not know is left out (flock would ask the users service; the bench seeds them all).
 */
async function hydrate(env: Env, viewer: string | null, rows: PostRow[]): Promise<Post[]> {
  if (rows.length === 0) return [];
  const db = env.POSTS_DB;
  const shares = [
    ...new Set(rows.flatMap((row) => (row.shared_post_id ? [row.shared_post_id] : []))),
  ];
  const sharedIds = JSON.stringify(shares);
  const ids = JSON.stringify([...rows.map((row) => row.id), ...shares]);
  const [originals, authors, liked, shared] = await db.batch([
    db.prepare(`SELECT * FROM posts WHERE ${inList("id")}`).bind(sharedIds),
    db
      .prepare(
        `SELECT * FROM authors WHERE ${inList("id")}
           OR id IN (SELECT author_id FROM posts WHERE ${inList("id")})`,
      )
      .bind(JSON.stringify(rows.map((row) => row.author_id)), sharedIds),
    db
      .prepare(`SELECT post_id AS id FROM likes WHERE user_id = ? AND ${inList("post_id")}`)
      .bind(viewer ?? "", ids),
    db
      .prepare(
        `SELECT shared_post_id AS id FROM posts WHERE author_id = ? AND ${inList("shared_post_id")}`,
      )
      .bind(viewer ?? "", ids),
  ]);
  const likedIds = new Set(rowsOf<{ id: string }>(liked).map((row) => row.id));
  const sharedByViewer = new Set(rowsOf<{ id: string }>(shared).map((row) => row.id));
  const byId = new Map(rowsOf<PostRow>(originals).map((row) => [row.id, row]));
  const authorsById = new Map(
    rowsOf<AuthorRow>(authors).map((row) => [
      row.id,
      { id: row.id, handle: row.handle, displayName: row.display_name, avatarUrl: row.avatar_url },
    ]),
  );
  const post = (row: PostRow, embedded: Post | null | undefined): Post | null => {
    const author = authorsById.get(row.author_id);
    if (!author) return null;
    const state = viewer
      ? { liked: likedIds.has(row.id), shared: sharedByViewer.has(row.id) }
      : null;
    return toPost(row, author, state, embedded);
  };
  return rows.flatMap((row) => {
    const original = row.shared_post_id ? byId.get(row.shared_post_id) : undefined;
    const embedded = row.shared_post_id ? (original ? post(original, undefined) : null) : undefined;
    return post(row, embedded) ?? [];
  });
}

/** A page of posts rows, fetched one past the limit to know whether more follow. */
async function page(env: Env, viewer: string | null, rows: PostRow[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: await hydrate(env, viewer, items),
    nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
  };
}

/** How many merged posts one page of the feed reads at most, as the posts service (MERGE_SCAN). */
const MERGE_SCAN = 1000;

/**
 * What posts' visibility.ts adds to every read of posts `p` for reader ?1: neither side of a block
 * wrote the post or the post it shares, nor (in the home feed) a muted account; and it is visible,
 * or the reader's own. Signed out, only the status counts.
 */
function shownTo(viewer: string | null, { hideMuted = false } = {}): string {
  if (viewer === null) return "p.status = 'visible'";
  const authors = "(p.author_id, (SELECT o.author_id FROM posts o WHERE o.id = p.shared_post_id))";
  const blocked = `EXISTS (SELECT 1 FROM relations r WHERE r.kind = 'block' AND r.active = 1
    AND ((r.user_id = ?1 AND r.other_id IN ${authors}) OR (r.other_id = ?1 AND r.user_id IN ${authors})))`;
  const muted = `EXISTS (SELECT 1 FROM relations r WHERE r.kind = 'mute' AND r.active = 1
    AND r.user_id = ?1 AND r.other_id IN ${authors})`;
  return `NOT ${blocked} ${hideMuted ? `AND NOT ${muted}` : ""} AND (p.status = 'visible' OR p.author_id = ?1)`;
}

/**
 * The home feed as the posts service reads it: in one batch, the edge of the bounded celebrity merge
 * (none when the reader follows no one merged) and the page: the reader's fanned-out rows and the merged posts of the celebrities they follow
 * (from posts' own follow_states) down to that edge, each visible to the reader. Then the page's
 * hydration. A short page that reached the edge carries on below it, as flock's does.
 */
async function homeFeed(env: Env, reader: string, url: URL) {
  const { limit, before } = pageQuery(url);
  const db = env.POSTS_DB;
  // ?1 reader, ?2 the cursor's post or '' (nothing sorts after it), ?3 the page plus one.
  const below = (column: string) => `(?2 = '' OR ${column} < ?2)`;
  // The merge reads down to its depth; the page stops there only when the reader may follow someone
  // merged (one of their first 1,000 follows is, or they follow more: posts' FOLLOWS_CHECKED).
  const followsMerged = `(SELECT count(*) > 1000
      OR coalesce(max(EXISTS (SELECT 1 FROM merged_posts m WHERE m.author_id = f.followee)), 0)
    FROM (SELECT followee_id AS followee FROM follow_states WHERE follower_id = ?1 AND following = 1 LIMIT 1001) f)`;
  const edgeOf = (condition: string) =>
    `SELECT post_id FROM merged_posts WHERE ${below("post_id")} ${condition} ORDER BY post_id DESC LIMIT 1 OFFSET ${MERGE_SCAN - 1}`;
  const mergeEdge = edgeOf("");
  const pageEdge = edgeOf(`AND ${followsMerged}`);
  const reaches = (column: string, edge: string) => `${column} >= coalesce((${edge}), '')`;
  const feedShown = shownTo(reader, { hideMuted: true });
  const [edgeRow, rows] = await db.batch([
    db.prepare(pageEdge).bind(reader, before ?? ""),
    db
      .prepare(
        `SELECT * FROM posts WHERE id IN (
           SELECT post_id FROM (SELECT t.post_id FROM timeline_entries t INNER JOIN posts p ON p.id = t.post_id
             WHERE t.user_id = ?1 AND ${below("t.post_id")} AND ${feedShown} AND ${reaches("t.post_id", pageEdge)}
             ORDER BY t.post_id DESC LIMIT ?3)
           UNION
           SELECT post_id FROM (SELECT m.post_id FROM merged_posts m
             WHERE ${below("m.post_id")} AND ${reaches("m.post_id", mergeEdge)}
               AND EXISTS (SELECT 1 FROM follow_states f WHERE f.follower_id = ?1 AND f.followee_id = m.author_id AND f.following = 1)
               AND EXISTS (SELECT 1 FROM posts p WHERE p.id = m.post_id AND ${feedShown})
             ORDER BY m.post_id DESC LIMIT ?3))
         ORDER BY id DESC LIMIT ?3`,
      )
      .bind(reader, before ?? "", limit + 1),
  ]);
  const answer = await page(env, reader, rowsOf<PostRow>(rows), limit);
  const reached = rowsOf<{ post_id: string }>(edgeRow)[0]?.post_id;
  if (answer.nextCursor !== null || reached === undefined) return json(answer);
  return json({ items: answer.items, nextCursor: encodeCursor(reached) });
}

/** One author's posts by handle, through the author replica: the author and the page in one batch. */
async function userTimeline(env: Env, viewer: string | null, handle: string, url: URL) {
  const { limit, before } = pageQuery(url);
  if (handle.length > 64) throw new Problem(422, "handle must be at most 64 characters");
  const db = env.POSTS_DB;
  const name = handle.toLowerCase();
  // ?1 viewer (or ''), ?2 handle, ?3 the cursor's post or '', ?4 the page plus one.
  const [known, rows] = await db.batch([
    db.prepare("SELECT id FROM authors WHERE handle = ? LIMIT 1").bind(name),
    db
      .prepare(
        `SELECT p.* FROM posts p
         WHERE p.author_id = (SELECT id FROM authors WHERE handle = ?2 ORDER BY updated_at DESC LIMIT 1)
           AND (?3 = '' OR p.id < ?3) AND ${shownTo(viewer)}
         ORDER BY p.id DESC LIMIT ?4`,
      )
      .bind(viewer ?? "", name, before ?? "", limit + 1),
  ]);
  if (rowsOf(known).length === 0) throw new Problem(404, `No author @${handle} known here.`);
  return json(await page(env, viewer, rowsOf<PostRow>(rows), limit));
}

async function postById(env: Env, viewer: string | null, id: string) {
  if (id.length > 64) throw new Problem(422, "id must be at most 64 characters");
  const row = await env.POSTS_DB.prepare(
    `SELECT p.* FROM posts p WHERE p.id = ?2 AND ${shownTo(viewer)} LIMIT 1`,
  )
    .bind(viewer ?? "", id)
    .first<PostRow>();
  const [post] = row ? await hydrate(env, viewer, [row]) : [];
  if (!post) throw new Problem(404, "No such post.");
  return json(post);
}

// ---- compose: the durable minimum of a post ----

/**
 * A new post: the author (the summary the answer embeds, and the follower count) and their first
 * followers from users-db, as the users service answers the posts service; then the post, its tags
 * and the author's and first followers' timeline rows in one posts-db batch. No outbox and no events,
 * so no notifications, search, counters or later fan-out: the part of a compose that must be durable
 * before it answers.
 */
async function compose(env: Env, authorId: string, request: Request) {
  const input = await postInput(request);
  const users = env.USERS_DB;
  const [followers, authors] = await users.batch([
    users
      .prepare(
        "SELECT follower_id AS id FROM follows WHERE followee_id = ? ORDER BY id DESC LIMIT ?",
      )
      .bind(authorId, SYNC_FANOUT + 1),
    users
      .prepare(
        "SELECT id, handle, display_name, avatar_url, follower_count FROM users WHERE id = ?",
      )
      .bind(authorId),
  ]);
  const [author] = rowsOf<AuthorRow & { follower_count: number }>(authors);
  if (!author) throw new Problem(401, "The token names no account.");
  const celebrity = author.follower_count >= (Number(env.CELEBRITY_FOLLOWERS) || 10_000);
  const firstIds = rowsOf<{ id: string }>(followers)
    .slice(0, SYNC_FANOUT)
    .map((row) => row.id);
  const readers = [authorId, ...(celebrity ? [] : firstIds)];
  const now = new Date().toISOString();
  const row: PostRow = {
    id: ulid(),
    author_id: authorId,
    body: input.body,
    title: input.title,
    description: input.description,
    tags: JSON.stringify(input.tags),
    media: "[]",
    shared_post_id: null,
    // The durable minimum: no moderation rules run (the column's default is "visible").
    status: "visible",
    like_count: 0,
    comment_count: 0,
    share_count: 0,
    created_at: now,
    updated_at: now,
  };
  const db = env.POSTS_DB;
  await db.batch([
    db
      .prepare(
        `INSERT INTO posts (id, author_id, body, title, description, tags, shared_post_id,
           like_count, comment_count, share_count, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, NULL, 0, 0, 0, ?, ?)`,
      )
      .bind(row.id, authorId, row.body, row.title, row.description, row.tags, now, now),
    ...(input.tags.length > 0
      ? [
          db
            .prepare("INSERT INTO post_tags (tag, post_id) SELECT value, ? FROM json_each(?)")
            .bind(row.id, row.tags),
        ]
      : []),
    db
      .prepare(
        `INSERT INTO timeline_entries (user_id, post_id, author_id)
         SELECT value, ?, ? FROM json_each(?) WHERE EXISTS (SELECT 1 FROM posts WHERE id = ?)
         ON CONFLICT DO NOTHING`,
      )
      .bind(row.id, authorId, JSON.stringify(readers), row.id),
    ...(celebrity
      ? [
          db
            .prepare(
              "INSERT INTO celebrities (author_id, since) VALUES (?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(authorId, now),
        ]
      : []),
  ]);
  const summary = {
    id: author.id,
    handle: author.handle,
    displayName: author.display_name,
    avatarUrl: author.avatar_url,
  };
  return json(toPost(row, summary, { liked: false, shared: false }, undefined), 201);
}

async function route(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname;
  const method = request.method;
  if (method === "GET" && path === "/v1/feed")
    return homeFeed(env, await signedIn(request, env), url);
  if (method === "POST" && path === "/v1/posts")
    return compose(env, await signedIn(request, env), request);
  const timeline = /^\/v1\/users\/([^/]+)\/posts$/.exec(path);
  if (method === "GET" && timeline)
    return userTimeline(env, await viewerOf(request, env), timeline[1] ?? "", url);
  const post = /^\/v1\/posts\/([^/]+)$/.exec(path);
  if (method === "GET" && post) return postById(env, await viewerOf(request, env), post[1] ?? "");
  throw new Problem(404, "No such route on the floor.");
}

export default {
  async fetch(request, env) {
    try {
      return await route(request, env);
    } catch (error) {
      if (error instanceof Problem)
        return json(
          { type: "about:blank", title: error.title, status: error.status },
          error.status,
        );
      console.error(error);
      return json({ type: "about:blank", title: "Internal error", status: 500 }, 500);
    }
  },
} satisfies ExportedHandler<Env>;
