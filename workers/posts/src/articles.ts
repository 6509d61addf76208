import {
  type ArticleQuery,
  ArticleQuery as ArticleQuerySchema,
  MAX_COUNTED,
  type OffsetPage,
  type OffsetQuery,
  OffsetQuery as OffsetQuerySchema,
  type PostRecord,
} from "@flock/contracts";
import { parseInput } from "@flock/kit";
import { count, desc, gt, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { celebrities as celebrityTable, posts, tags } from "./db/schema";
import { type Audience, actor, type Scope } from "./scope";
import { followedCelebrities, hydrate } from "./timelines";

/**
 * Articles (original posts, shares left out), newest first, by position, with the number of matches.
 * Each filter is an index range walked newest first (a tag's post_tags rows, a liker's likes, an
 * author's articles), so a page costs its offset plus its size, and the count stops at MAX_COUNTED.
 */
export async function listArticles(
  scope: Scope,
  raw: ArticleQuery,
): Promise<OffsetPage<PostRecord>> {
  const query = parseInput(ArticleQuerySchema, raw);
  const joins: SQL[] = [];
  const conditions: SQL[] = [sql`p.shared_post_id IS NULL`];
  // Sorting by the driving index's own column lets SQLite walk it in order instead of sorting.
  let key = sql`p.id`;
  if (query.likedBy !== undefined) {
    joins.push(sql`JOIN likes l ON l.post_id = p.id AND l.user_id = ${query.likedBy}`);
    key = sql`l.post_id`;
  }
  if (query.tag !== undefined) {
    joins.push(sql`JOIN post_tags t ON t.post_id = p.id AND t.tag = ${query.tag}`);
    key = sql`t.post_id`;
  }
  if (query.authorId !== undefined) conditions.push(sql`p.author_id = ${query.authorId}`);
  // Unfiltered, SQLite would rather range over posts_by_shared and sort every article; the partial
  // index of articles is already in order.
  const from =
    conditions.length === 1 && joins.length === 0 ? sql`posts p INDEXED BY articles` : sql`posts p`;
  const matching = sql`FROM ${from} ${sql.join(joins, sql` `)} WHERE ${sql.join(conditions, sql` AND `)}`;
  const { db } = scope;
  const [rows, counted] = await db.batch([
    db
      .select()
      .from(posts)
      .where(
        sql`${posts.id} IN (SELECT id FROM (
          SELECT p.id AS id ${matching} ORDER BY ${key} DESC LIMIT ${query.limit} OFFSET ${query.offset}))`,
      )
      .orderBy(desc(posts.id)),
    db.select({ n: count() }).from(sql`(SELECT 1 ${matching} LIMIT ${MAX_COUNTED})`),
  ]);
  return { items: await hydrate(scope, rows), total: counted[0]?.n ?? 0 };
}

/**
 * The reader's home timeline as articles: the original posts of the accounts they follow, newest
 * first, by position, with a total; their own posts and all shares left out. Like the home feed it
 * unions the fanned-out timeline rows with the merged-in posts of very followed accounts, each side
 * an index range cut at what the page (or the count) needs, so a new follow's posts count at once.
 */
export async function articleFeed(
  scope: Scope,
  audience: Audience,
  raw: OffsetQuery,
): Promise<OffsetPage<PostRecord>> {
  const reader = actor(scope);
  const query = parseInput(OffsetQuerySchema, raw);
  const known = await scope.db.select({ id: celebrityTable.authorId }).from(celebrityTable);
  const celebrities = await followedCelebrities(
    audience,
    reader,
    known.map((row) => row.id),
  );
  const followed = (take: number) => {
    const fannedOut = sql`SELECT id FROM (
        SELECT te.post_id AS id FROM timeline_entries te JOIN posts p ON p.id = te.post_id
        WHERE te.user_id = ${reader} AND te.author_id <> ${reader} AND p.shared_post_id IS NULL
        ORDER BY te.post_id DESC LIMIT ${take})`;
    if (celebrities.length === 0) return fannedOut;
    return sql`${fannedOut} UNION SELECT id FROM (
        SELECT id FROM posts
        WHERE author_id IN (SELECT value FROM json_each(${JSON.stringify(celebrities)}))
          AND shared_post_id IS NULL
        ORDER BY id DESC LIMIT ${take})`;
  };
  const { db } = scope;
  const [rows, counted] = await db.batch([
    db
      .select()
      .from(posts)
      .where(sql`${posts.id} IN (${followed(query.offset + query.limit)})`)
      .orderBy(desc(posts.id))
      .limit(query.limit)
      .offset(query.offset),
    db.select({ n: count() }).from(sql`(${followed(MAX_COUNTED)})`),
  ]);
  return {
    items: await hydrate(scope, rows),
    total: Math.min(counted[0]?.n ?? 0, MAX_COUNTED),
  };
}

const TagLimit = z.number().int().min(1).max(100);

/** The tags in use, the most used first and, among equally used ones, the most recently used first. */
export async function popularTags(scope: Scope, limit: number): Promise<string[]> {
  const rows = await scope.db
    .select({ tag: tags.tag })
    .from(tags)
    .where(gt(tags.postCount, 0))
    .orderBy(desc(tags.postCount), desc(tags.lastPostId))
    .limit(parseInput(TagLimit, limit));
  return rows.map((row) => row.tag);
}
