import type { ListQuery, Page, PostRecord } from "@flock/contracts";
import { AppError, decodeCursor, inList, toPage } from "@flock/kit";
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { authors, celebrities, likes, posts, postTags } from "./db/schema";
import type { PostRow } from "./posts";
import { type Audience, actor, type Scope } from "./scope";

/**
 * Turns post rows into records: embeds each share's original and, for a signed-in viewer, whether
 * they liked or shared each post. One D1 round trip for the whole page, whatever its size.
 */
export async function hydrate(scope: Scope, rows: PostRow[]): Promise<PostRecord[]> {
  if (rows.length === 0) return [];
  const { db } = scope;
  const viewer = scope.ctx.actorId ?? "";
  const sharedIds = [
    ...new Set(rows.flatMap((row) => (row.sharedPostId ? [row.sharedPostId] : []))),
  ];
  const ids = [...rows.map((row) => row.id), ...sharedIds];
  const [originals, authorRows, likedRows, sharedRows] = await db.batch([
    db.select().from(posts).where(inList(posts.id, sharedIds)),
    // The authors of the page and of the posts it shares, from the replica, in the same round trip.
    db
      .select()
      .from(authors)
      .where(
        or(
          inList(
            authors.id,
            rows.map((row) => row.authorId),
          ),
          sql`${authors.id} IN (SELECT author_id FROM posts WHERE id IN (SELECT value FROM json_each(${JSON.stringify(sharedIds)})))`,
        ),
      ),
    db
      .select({ postId: likes.postId })
      .from(likes)
      .where(and(eq(likes.userId, viewer), inList(likes.postId, ids))),
    db
      .select({ postId: posts.sharedPostId })
      .from(posts)
      .where(and(eq(posts.authorId, viewer), inList(posts.sharedPostId, ids))),
  ]);
  const liked = new Set(likedRows.map((row) => row.postId));
  const shared = new Set(sharedRows.flatMap((row) => (row.postId ? [row.postId] : [])));
  const byId = new Map(originals.map((row) => [row.id, row]));
  const authorsById = new Map(
    authorRows.map((row) => [
      row.id,
      { id: row.id, handle: row.handle, displayName: row.displayName, avatarUrl: row.avatarUrl },
    ]),
  );
  const record = (row: PostRow, sharedPost: PostRecord | null): PostRecord => ({
    id: row.id,
    authorId: row.authorId,
    author: authorsById.get(row.authorId) ?? null,
    body: row.body,
    title: row.title,
    description: row.description,
    tags: row.tags,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    likeCount: row.likeCount,
    commentCount: row.commentCount,
    shareCount: row.shareCount,
    sharedPostId: row.sharedPostId,
    sharedPost,
    ...(scope.ctx.actorId
      ? { viewer: { liked: liked.has(row.id), shared: shared.has(row.id) } }
      : {}),
  });
  return rows.map((row) => {
    const original = row.sharedPostId ? byId.get(row.sharedPostId) : undefined;
    return record(row, original ? record(original, null) : null);
  });
}

async function page(scope: Scope, rows: PostRow[], limit: number): Promise<Page<PostRecord>> {
  const result = toPage(
    rows,
    limit,
    (row) => row.id,
    (row) => row,
  );
  return { items: await hydrate(scope, result.items), nextCursor: result.nextCursor };
}

/** One author's posts and shares, newest first. */
export async function userTimeline(
  scope: Scope,
  authorId: string,
  query: ListQuery,
): Promise<Page<PostRecord>> {
  const after = decodeCursor(query.cursor);
  const rows = await scope.db
    .select()
    .from(posts)
    .where(and(eq(posts.authorId, authorId), after ? lt(posts.id, after) : undefined))
    .orderBy(desc(posts.id))
    .limit(query.limit + 1);
  return page(scope, rows, query.limit);
}

/** Everyone's posts, newest first, or only those with a tag. */
export async function publicTimeline(
  scope: Scope,
  tag: string | undefined,
  query: ListQuery,
): Promise<Page<PostRecord>> {
  const { db } = scope;
  const after = decodeCursor(query.cursor);
  const rows = tag
    ? (
        await db
          .select({ post: posts })
          .from(postTags)
          .innerJoin(posts, eq(posts.id, postTags.postId))
          .where(
            and(
              eq(postTags.tag, tag.toLowerCase()),
              after ? lt(postTags.postId, after) : undefined,
            ),
          )
          .orderBy(desc(postTags.postId))
          .limit(query.limit + 1)
      ).map((row) => row.post)
    : await db
        .select()
        .from(posts)
        .where(after ? lt(posts.id, after) : undefined)
        .orderBy(desc(posts.id))
        .limit(query.limit + 1);
  return page(scope, rows, query.limit);
}

/**
 * The reader's home timeline: their fanned-out timeline rows, merged with the recent posts of the
 * very followed accounts that are not fanned out. Both sides are index ranges bounded by the page
 * size, so a page costs the same for a reader following ten accounts or ten thousand.
 */
export async function homeFeed(
  scope: Scope,
  audience: Audience,
  query: ListQuery,
): Promise<Page<PostRecord>> {
  const reader = actor(scope);
  const after = decodeCursor(query.cursor);
  // Asking the users service costs a call; there is nothing to ask while no author is a celebrity.
  const celebrities =
    (await knownCelebrities(scope)).size > 0 ? await audience.celebritiesFollowedBy(reader) : [];
  const take = query.limit + 1;
  const before = (column: string) => (after ? sql`AND ${sql.raw(column)} < ${after}` : sql``);
  const fannedOut = sql`SELECT post_id FROM (
      SELECT te.post_id FROM timeline_entries te JOIN posts p ON p.id = te.post_id
      WHERE te.user_id = ${reader} ${before("te.post_id")} ORDER BY te.post_id DESC LIMIT ${take})`;
  const merged =
    celebrities.length === 0
      ? fannedOut
      : sql`${fannedOut} UNION SELECT id FROM (
          SELECT id FROM posts WHERE author_id IN (SELECT value FROM json_each(${JSON.stringify(celebrities)}))
          ${before("id")} ORDER BY id DESC LIMIT ${take})`;
  const rows = await scope.db
    .select()
    .from(posts)
    .where(sql`${posts.id} IN (${merged})`)
    .orderBy(desc(posts.id))
    .limit(take);
  return page(scope, rows, query.limit);
}

const CELEBRITY_CACHE_MS = 10_000;
let celebrityCache: { at: number; ids: Set<string> } | null = null;

/**
 * The authors this service stopped fanning out, remembered by the isolate for ten seconds: a brand
 * new celebrity's posts reach their followers' feeds within that time, every other feed read skips a
 * call to the users service.
 */
export async function knownCelebrities(scope: Scope): Promise<Set<string>> {
  if (celebrityCache && Date.now() - celebrityCache.at < CELEBRITY_CACHE_MS)
    return celebrityCache.ids;
  const rows = await scope.db.select({ id: celebrities.authorId }).from(celebrities);
  celebrityCache = { at: Date.now(), ids: new Set(rows.map((row) => row.id)) };
  return celebrityCache.ids;
}

/** Notes a new celebrity in this isolate at once (others see it when their cache expires). */
export function rememberCelebrity(authorId: string): void {
  celebrityCache?.ids.add(authorId);
}

/** A user's timeline by handle, through the author replica. */
export async function userTimelineByHandle(
  scope: Scope,
  handle: string,
  query: ListQuery,
): Promise<Page<PostRecord>> {
  const [author] = await scope.db
    .select({ id: authors.id })
    .from(authors)
    .where(eq(authors.handle, handle.toLowerCase()))
    .orderBy(desc(authors.updatedAt))
    .limit(1);
  if (!author) throw new AppError("not_found", `No author @${handle} known here.`);
  return userTimeline(scope, author.id, query);
}
