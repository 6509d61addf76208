import {
  Id,
  type IndexedPost,
  type IndexPageQuery,
  IndexPageQuery as IndexPageQuerySchema,
  type Page,
  type PostRecord,
} from "@flock/contracts";
import { inList, parseInput } from "@flock/kit";
import { and, asc, gt } from "drizzle-orm";
import { z } from "zod";
import { posts } from "./db/schema";
import type { Scope } from "./scope";
import { hydrate } from "./timelines";
import { notBlocked, shownTo } from "./visibility";

const PostIds = z.array(Id).max(100);

/**
 * Posts by id as their reader may see them (held, hidden, deleted or across a block: left out), in
 * the order asked: how the gateway hydrates search results. One round trip, then hydrate's one.
 */
export async function postsByIds(scope: Scope, raw: string[]): Promise<PostRecord[]> {
  const ids = parseInput(PostIds, raw);
  if (ids.length === 0) return [];
  const rows = await scope.db
    .select()
    .from(posts)
    .where(and(inList(posts.id, ids), shownTo(scope), notBlocked(scope.ctx.actorId, posts)));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return hydrate(
    scope,
    ids.flatMap((id) => byId.get(id) ?? []),
  );
}

function indexed(row: typeof posts.$inferSelect): IndexedPost {
  return {
    id: row.id,
    authorId: row.authorId,
    title: row.title,
    description: row.description,
    body: row.body,
    tags: row.tags,
    status: row.status,
    sharedPostId: row.sharedPostId,
    createdAt: row.createdAt,
  };
}

/**
 * What the search index reads of posts, whatever their status and whoever asks (only internal
 * workers can call it): the posts with these ids, or a page of all posts in id order after a cursor
 * (npm run search:reindex).
 */
export async function postsForIndex(
  scope: Scope,
  raw: IndexPageQuery & { ids?: string[] },
): Promise<Page<IndexedPost>> {
  const query = parseInput(IndexPageQuerySchema.extend({ ids: PostIds.optional() }), raw);
  if (query.ids) {
    const rows = await scope.db.select().from(posts).where(inList(posts.id, query.ids));
    return { items: rows.map(indexed), nextCursor: null };
  }
  const rows = await scope.db
    .select()
    .from(posts)
    .where(query.after ? gt(posts.id, query.after) : undefined)
    .orderBy(asc(posts.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map(indexed);
  return {
    items,
    nextCursor: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null,
  };
}
