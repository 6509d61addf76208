import {
  type FeedFilter,
  type FeedOffsetQuery,
  FeedOffsetQuery as FeedOffsetQuerySchema,
  type FeedQuery,
  FeedQuery as FeedQuerySchema,
  type ListQuery,
  MAX_COUNTED,
  type OffsetPage,
  type Page,
  type PostRecord,
} from "@flock/contracts";
import { AppError, type Db, decodeCursor, inList, parseInput, toPage } from "@flock/kit";
import { and, count, desc, eq, inArray, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import { union } from "drizzle-orm/sqlite-core";
import type { z } from "zod";
import { authors, celebrities, likes, posts, postTags, timelineEntries } from "./db/schema";
import type { PostRow } from "./posts";
import { type Audience, actor, type Scope } from "./scope";
import { shownTo } from "./visibility";

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
    // A share of a post the viewer may not see embeds nothing, as a share of a deleted post does.
    db
      .select()
      .from(posts)
      .where(and(inList(posts.id, sharedIds), shownTo(scope))),
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
    status: row.status,
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
    .where(
      and(eq(posts.authorId, authorId), after ? lt(posts.id, after) : undefined, shownTo(scope)),
    )
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
              shownTo(scope),
            ),
          )
          .orderBy(desc(postTags.postId))
          .limit(query.limit + 1)
      ).map((row) => row.post)
    : await db
        .select()
        .from(posts)
        .where(and(after ? lt(posts.id, after) : undefined, shownTo(scope)))
        .orderBy(desc(posts.id))
        .limit(query.limit + 1);
  return page(scope, rows, query.limit);
}

/** Where a page of the home feed starts: after a cursor's post, and then so many posts in. */
type FeedWindow = { before: string | undefined; offset: number; take: number };

/** A feed's filter, for its reader, with the posts that reader may see (visibility.ts). */
type FeedSelection = z.output<typeof FeedFilter> & { reader: string; shown: SQL };

/** The reader's fanned-out timeline rows a filter keeps; through posts, so a deleted post leaves at once. */
function fannedOut(selection: FeedSelection, before: string | undefined): SQL | undefined {
  return and(
    eq(timelineEntries.userId, selection.reader),
    before ? lt(timelineEntries.postId, before) : undefined,
    selection.followedOnly ? ne(timelineEntries.authorId, selection.reader) : undefined,
    selection.originalsOnly ? isNull(posts.sharedPostId) : undefined,
    selection.shown,
  );
}

/** The ids of the fanned-out rows a filter keeps, newest first. */
function fannedOutIds(db: Db, selection: FeedSelection, before: string | undefined) {
  return db
    .select({ id: timelineEntries.postId })
    .from(timelineEntries)
    .innerJoin(posts, eq(posts.id, timelineEntries.postId))
    .where(fannedOut(selection, before))
    .orderBy(desc(timelineEntries.postId));
}

/**
 * The ids of the newest `take` posts of the feed: the fanned-out rows and the posts of the followed
 * celebrities, each an index range cut at `take`, as one set.
 */
function feedIds(
  db: Db,
  selection: FeedSelection,
  celebrityIds: readonly string[],
  before: string | undefined,
  take: number,
) {
  const fanned = fannedOutIds(db, selection, before).limit(take);
  const merged = db
    .select({ id: posts.id })
    .from(posts)
    .where(
      and(
        inList(posts.authorId, celebrityIds),
        before ? lt(posts.id, before) : undefined,
        selection.originalsOnly ? isNull(posts.sharedPostId) : undefined,
        selection.shown,
      ),
    )
    .orderBy(desc(posts.id))
    .limit(take);
  // SQLite allows LIMIT only on a whole compound select: each side is a subquery of its own.
  return union(db.select().from(fanned.as("fanned_out")), db.select().from(merged.as("merged")));
}

/**
 * One page of the reader's home feed, newest first: their fanned-out timeline rows, merged with the
 * recent posts of the very followed accounts, which are not fanned out. Both are index ranges bounded
 * by the page's end, so a page costs the same for a reader following ten accounts or ten thousand.
 * While the reader follows no celebrity (the common case) that is one D1 round trip, and while no
 * author is a celebrity, no call to the users service. Returns the celebrities it merged, for
 * `feedTotal`.
 */
async function feedPage(
  scope: Scope,
  audience: Audience,
  selection: FeedSelection,
  window: FeedWindow,
): Promise<{ rows: PostRow[]; celebrityIds: string[] }> {
  const { db } = scope;
  const [celebrityRows, fanned] = await db.batch([
    db.select({ id: celebrities.authorId }).from(celebrities),
    db
      .select({ post: posts })
      .from(timelineEntries)
      .innerJoin(posts, eq(posts.id, timelineEntries.postId))
      .where(fannedOut(selection, window.before))
      .orderBy(desc(timelineEntries.postId))
      .limit(window.take)
      .offset(window.offset),
  ]);
  const celebrityIds = await followedCelebrities(
    audience,
    selection.reader,
    celebrityRows.map((row) => row.id),
  );
  if (celebrityIds.length === 0) return { rows: fanned.map(({ post }) => post), celebrityIds };
  const rows = await db
    .select()
    .from(posts)
    .where(
      inArray(
        posts.id,
        feedIds(db, selection, celebrityIds, window.before, window.offset + window.take),
      ),
    )
    .orderBy(desc(posts.id))
    .limit(window.take)
    .offset(window.offset);
  return { rows, celebrityIds };
}

/** How many posts the reader's whole home feed holds, exact up to MAX_COUNTED. */
async function feedTotal(
  scope: Scope,
  selection: FeedSelection,
  celebrityIds: readonly string[],
): Promise<number> {
  const { db } = scope;
  const counted =
    celebrityIds.length === 0
      ? fannedOutIds(db, selection, undefined).limit(MAX_COUNTED)
      : feedIds(db, selection, celebrityIds, undefined, MAX_COUNTED);
  const [row] = await db.select({ n: count() }).from(counted.as("feed"));
  return Math.min(row?.n ?? 0, MAX_COUNTED);
}

/**
 * The reader's home timeline after a cursor: their own posts and shares and those of the accounts
 * they follow, narrowed by the filter given.
 */
export async function homeFeed(
  scope: Scope,
  audience: Audience,
  raw: FeedQuery,
): Promise<Page<PostRecord>> {
  const { limit, cursor, ...filter } = parseInput(FeedQuerySchema, raw);
  const selection = { ...filter, reader: actor(scope), shown: shownTo(scope) };
  const window = { before: decodeCursor(cursor), offset: 0, take: limit + 1 };
  const { rows } = await feedPage(scope, audience, selection, window);
  return page(scope, rows, limit);
}

/** The same home timeline by position, with how many posts it holds in all. */
export async function homeFeedByOffset(
  scope: Scope,
  audience: Audience,
  raw: FeedOffsetQuery,
): Promise<OffsetPage<PostRecord>> {
  const { limit, offset, ...filter } = parseInput(FeedOffsetQuerySchema, raw);
  const selection = { ...filter, reader: actor(scope), shown: shownTo(scope) };
  const window = { before: undefined, offset, take: limit };
  const { rows, celebrityIds } = await feedPage(scope, audience, selection, window);
  const [items, total] = await Promise.all([
    hydrate(scope, rows),
    feedTotal(scope, selection, celebrityIds),
  ]);
  return { items, total };
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
      .where(
        and(
          sql`${posts.authorId} = ${authorId}`,
          after ? lt(posts.id, after) : undefined,
          shownTo(scope),
        ),
      )
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
async function followedCelebrities(
  audience: Audience,
  reader: string,
  celebrityIds: readonly string[],
): Promise<string[]> {
  return celebrityIds.length === 0 ? [] : audience.celebritiesFollowedBy(reader, celebrityIds);
}
