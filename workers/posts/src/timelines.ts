import type { ListQuery, Page, PostRecord } from "@flock/contracts";
import { AppError, decodeCursor, inList, toPage } from "@flock/kit";
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { authors, celebrities, likes, posts, postTags, timelineEntries } from "./db/schema";
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
 * very followed accounts that are not fanned out. Both are index ranges bounded by the page size, so a
 * page costs the same for a reader following ten accounts or ten thousand. While no author is a
 * celebrity (the common case) that is one D1 round trip and no call to the users service.
 */
export async function homeFeed(
  scope: Scope,
  audience: Audience,
  query: ListQuery,
): Promise<Page<PostRecord>> {
  const { db } = scope;
  const reader = actor(scope);
  const after = decodeCursor(query.cursor);
  const take = query.limit + 1;
  const [celebrityRows, fannedOut] = await db.batch([
    db.select({ id: celebrities.authorId }).from(celebrities),
    db
      .select({ post: posts })
      .from(timelineEntries)
      // Through posts: a deleted post leaves every feed at once, before its rows are cleaned up.
      .innerJoin(posts, eq(posts.id, timelineEntries.postId))
      .where(
        and(
          eq(timelineEntries.userId, reader),
          after ? lt(timelineEntries.postId, after) : undefined,
        ),
      )
      .orderBy(desc(timelineEntries.postId))
      .limit(take),
  ]);
  const rows = new Map(fannedOut.map(({ post }) => [post.id, post]));
  const followed = await followedCelebrities(
    audience,
    reader,
    celebrityRows.map((row) => row.id),
  );
  if (followed.length > 0) {
    const merged = await db
      .select()
      .from(posts)
      .where(and(inList(posts.authorId, followed), after ? lt(posts.id, after) : undefined))
      .orderBy(desc(posts.id))
      .limit(take);
    for (const post of merged) rows.set(post.id, post);
  }
  const newest = [...rows.values()].sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, take);
  return page(scope, newest, query.limit);
}

/** A user's timeline by handle, through the author replica: the author and the page in one round trip. */
export async function userTimelineByHandle(
  scope: Scope,
  handle: string,
  query: ListQuery,
): Promise<Page<PostRecord>> {
  const { db } = scope;
  const after = decodeCursor(query.cursor);
  const authorId = sql`(SELECT id FROM authors WHERE handle = ${handle.toLowerCase()} ORDER BY updated_at DESC LIMIT 1)`;
  const [known, rows] = await db.batch([
    db
      .select({ id: authors.id })
      .from(authors)
      .where(eq(authors.handle, handle.toLowerCase()))
      .limit(1),
    db
      .select()
      .from(posts)
      .where(and(sql`${posts.authorId} = ${authorId}`, after ? lt(posts.id, after) : undefined))
      .orderBy(desc(posts.id))
      .limit(query.limit + 1),
  ]);
  if (known.length === 0) throw new AppError("not_found", `No author @${handle} known here.`);
  return page(scope, rows, query.limit);
}

/**
 * The celebrities (authors merged at read time) a reader follows. The list is this service's own and
 * short; asking the users service costs a call, so there is nothing to ask while it is empty.
 */
export async function followedCelebrities(
  audience: Audience,
  reader: string,
  celebrityIds: readonly string[],
): Promise<string[]> {
  return celebrityIds.length === 0 ? [] : audience.celebritiesFollowedBy(reader, celebrityIds);
}
