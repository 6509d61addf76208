import {
  type ProfileSummary,
  type SearchPage,
  type SearchQuery,
  SearchQuery as SearchQuerySchema,
  type TagHit,
} from "@flock/contracts";
import { AppError, blockedBetween, decodeCursor, encodeCursor, parseInput } from "@flock/kit";
import { and, asc, desc, gte, lt, type SQL, sql } from "drizzle-orm";
import { tagCounts } from "./db/schema";
import type { Scope } from "./scope";
import { fold, matchAll, termsOf } from "./terms";

/**
 * How recency enters a post's score: relevance (bm25, negated so that higher is better) divided by
 * 1 + age / RECENCY_MS. A post a month old needs twice the relevance of one just written.
 */
export const RECENCY_MS = 30 * 24 * 60 * 60 * 1000;

/** bm25 weights of posts_fts's columns: title (with the description), body, tags. */
const POST_WEIGHTS = sql.raw("4.0, 1.0, 2.0");

/** Results are paged by position, up to this far: past it a search should be narrowed instead. */
export const MAX_OFFSET = 1000;

/** How many of the most relevant matches (bm25 alone) the recency blend ranks; past MAX_OFFSET. */
export const CANDIDATES = 2000;

/**
 * A page of results after a cursor. Positions stay stable between pages because the cursor keeps
 * the moment the first page was ranked at (recency is measured from it).
 */
type Position = { asOf: number; offset: number };

function positionOf(cursor: string | undefined): Position {
  const key = decodeCursor(cursor);
  if (key === undefined) return { asOf: Date.now(), offset: 0 };
  const match = /^(\d{1,15})\.(\d{1,4})$/.exec(key);
  const offset = Number(match?.[2]);
  if (!match || offset > MAX_OFFSET) {
    throw new AppError("validation", "cursor is not valid", [
      { path: "cursor", message: "is not valid" },
    ]);
  }
  return { asOf: Number(match[1]), offset };
}

function pageOf<Row, Item>(
  rows: Row[],
  limit: number,
  position: Position,
  terms: string[],
  map: (row: Row) => Item,
): SearchPage<Item> {
  const next = position.offset + limit;
  return {
    items: rows.slice(0, limit).map(map),
    nextCursor:
      rows.length > limit && next <= MAX_OFFSET ? encodeCursor(`${position.asOf}.${next}`) : null,
    terms,
  };
}

/** Nothing from an account across a block from the reader, whichever side made it. */
function notBlocked(scope: Scope, author: SQL): SQL {
  const reader = scope.ctx.actorId;
  return reader ? sql`AND NOT ${blockedBetween(reader, [author])}` : sql``;
}

/** Visible original posts with every word (the last as a prefix), best first: their ids. */
export async function searchPosts(scope: Scope, raw: SearchQuery): Promise<SearchPage<string>> {
  const query = parseInput(SearchQuerySchema, raw);
  const position = positionOf(query.cursor);
  const terms = termsOf(query.q);
  if (terms.length === 0) return { items: [], nextCursor: null, terms };
  // The best CANDIDATES by relevance alone first, inside FTS5, without touching indexed_posts; only
  // those are blended with recency. A word in most posts then costs a top-N sort, not a join per match.
  const rows = await scope.db.all<{ postId: string }>(sql`
    WITH candidates AS (
      SELECT rowid AS docId, bm25(posts_fts, ${POST_WEIGHTS}) AS rank
      FROM posts_fts WHERE posts_fts MATCH ${matchAll(terms, "last")}
      ORDER BY rank LIMIT ${CANDIDATES}
    )
    SELECT p.post_id AS postId
    FROM candidates c JOIN indexed_posts p ON p.doc_id = c.docId
    WHERE 1 ${notBlocked(scope, sql`p.author_id`)}
    ORDER BY -c.rank / (1.0 + max(0, ${position.asOf} - p.created_ms) / CAST(${RECENCY_MS} AS REAL)) DESC,
      p.post_id DESC
    LIMIT ${query.limit + 1} OFFSET ${position.offset}`);
  return pageOf(rows, query.limit, position, terms, (row) => row.postId);
}

type UserRow = { id: string; handle: string; displayName: string; avatarUrl: string | null };

/**
 * Accounts whose handle or display name has a word starting with each word searched: the handle
 * itself first, then handles starting with the text, then by bm25 (handle weighs double).
 */
export async function searchUsers(
  scope: Scope,
  raw: SearchQuery,
): Promise<SearchPage<ProfileSummary>> {
  const query = parseInput(SearchQuerySchema, raw);
  const position = positionOf(query.cursor);
  const terms = termsOf(query.q);
  if (terms.length === 0) return { items: [], nextCursor: null, terms };
  const handle = fold(query.q).replace(/^@/, "");
  const rows = await scope.db.all<UserRow>(sql`
    SELECT u.user_id AS id, u.handle AS handle, u.display_name AS displayName, u.avatar_url AS avatarUrl
    FROM users_fts JOIN indexed_users u ON u.doc_id = users_fts.rowid
    WHERE users_fts MATCH ${matchAll(terms, "every")} ${notBlocked(scope, sql`u.user_id`)}
    ORDER BY u.handle = ${handle} DESC, substr(u.handle, 1, ${handle.length}) = ${handle} DESC,
      bm25(users_fts, 2.0, 1.0), u.handle
    LIMIT ${query.limit + 1} OFFSET ${position.offset}`);
  return pageOf(rows, query.limit, position, terms, (row) => row);
}

/** Tags starting with the text (a leading `#` ignored), the most used first. */
export async function searchTags(scope: Scope, raw: SearchQuery): Promise<SearchPage<TagHit>> {
  const query = parseInput(SearchQuerySchema, raw);
  const position = positionOf(query.cursor);
  const prefix = fold(query.q).replace(/^#/, "").trim();
  const terms = prefix === "" ? [] : [prefix];
  if (prefix === "") return { items: [], nextCursor: null, terms };
  const rows = await scope.db
    .select({ tag: tagCounts.tag, postCount: tagCounts.postCount })
    .from(tagCounts)
    // Past every character that can follow the prefix (U+10FFFF sorts last in UTF-8).
    .where(and(gte(tagCounts.tag, prefix), lt(tagCounts.tag, `${prefix}\u{10FFFF}`)))
    .orderBy(desc(tagCounts.postCount), asc(tagCounts.tag))
    .limit(query.limit + 1)
    .offset(position.offset);
  return pageOf(rows, query.limit, position, terms, (row) => row);
}

/** How many posts, accounts and tags the index holds. */
export async function stats(scope: Scope): Promise<{ posts: number; users: number; tags: number }> {
  const [row] = await scope.db.all<{ posts: number; users: number; tags: number }>(sql`
    SELECT (SELECT count(*) FROM indexed_posts) AS posts, (SELECT count(*) FROM indexed_users) AS users,
      (SELECT count(*) FROM tag_counts) AS tags`);
  return row ?? { posts: 0, users: 0, tags: 0 };
}
