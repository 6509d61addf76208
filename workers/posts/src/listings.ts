import {
  MAX_COUNTED,
  type OffsetPage,
  type PostListQuery,
  PostListQuery as PostListQuerySchema,
  type PostRecord,
} from "@flock/contracts";
import { parseInput } from "@flock/kit";
import { count, desc, gt, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { posts, tags } from "./db/schema";
import type { Scope } from "./scope";
import { hydrate } from "./timelines";
import { notBlocked, shownToAliased } from "./visibility";

/**
 * Posts newest first, by position, with the number that match. Each filter is an index range walked
 * newest first (a tag's post_tags rows, a liker's likes, an author's posts or originals), so a page
 * costs its offset plus its size, and the count stops at MAX_COUNTED.
 */
export async function listPosts(scope: Scope, raw: PostListQuery): Promise<OffsetPage<PostRecord>> {
  const query = parseInput(PostListQuerySchema, raw);
  const joins: SQL[] = [];
  const conditions: SQL[] = [];
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
  if (query.originalsOnly) conditions.push(sql`p.shared_post_id IS NULL`);
  // Filters the reader chose, before the ones every read applies (what the index choice below needs).
  const filtered = conditions.length;
  conditions.push(shownToAliased(scope));
  const unblocked = notBlocked(scope.ctx.actorId, {
    authorId: sql`p.author_id`,
    sharedPostId: sql`p.shared_post_id`,
  });
  if (unblocked) conditions.push(unblocked);
  // Unfiltered but for shares, SQLite would rather range over posts_by_shared and sort every
  // original; the partial index of originals is already in order.
  const from =
    query.originalsOnly && filtered === 1 && joins.length === 0
      ? sql`posts p INDEXED BY originals`
      : sql`posts p`;
  const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const matching = sql`FROM ${from} ${sql.join(joins, sql` `)} ${where}`;
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
