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
import {
  AppError,
  type Db,
  decodeCursor,
  encodeCursor,
  inList,
  parseInput,
  toPage,
} from "@flock/kit";
import { and, count, desc, eq, gte, inArray, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import type { BatchResponse } from "drizzle-orm/batch";
import { union } from "drizzle-orm/sqlite-core";
import type { z } from "zod";
import {
  authors,
  followStates,
  likes,
  mergedPosts,
  posts,
  postTags,
  timelineEntries,
} from "./db/schema";
import type { PostRow } from "./posts";
import { actor, type Scope } from "./scope";
import { notBlocked, notBlockedOrMuted, shownTo } from "./visibility";

/**
 * Turns post rows into records: embeds each share's original and, for a signed-in viewer, whether
 * they liked or shared each post. One D1 round trip for the whole page, whatever its size.
 */
export async function hydrate(
  scope: Pick<Scope, "db" | "ctx">,
  rows: PostRow[],
): Promise<PostRecord[]> {
  if (rows.length === 0) return [];
  const hydration = hydrationOf(scope, rows);
  return hydration.records(await scope.db.batch(hydration.statements));
}

/**
 * What hydrating these rows reads, as four statements, and how their results make the records: for
 * a caller that runs them at the end of a batch of its own (a new post is read back in the batch
 * that writes it, so composing costs one round trip, not two).
 */
export function hydrationOf(scope: Pick<Scope, "db" | "ctx">, rows: PostRow[]) {
  const { db } = scope;
  const viewer = scope.ctx.actorId ?? "";
  const sharedIds = [
    ...new Set(rows.flatMap((row) => (row.sharedPostId ? [row.sharedPostId] : []))),
  ];
  const ids = [...rows.map((row) => row.id), ...sharedIds];
  const statements = [
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
  ] as const;
  type Results = BatchResponse<typeof statements>;
  return {
    statements,
    records([originals, authorRows, likedRows, sharedRows]: Results): PostRecord[] {
      const liked = new Set(likedRows.map((row) => row.postId));
      const shared = new Set(sharedRows.flatMap((row) => (row.postId ? [row.postId] : [])));
      const byId = new Map(originals.map((row) => [row.id, row]));
      const authorsById = new Map(
        authorRows.map((row) => [
          row.id,
          {
            id: row.id,
            handle: row.handle,
            displayName: row.displayName,
            avatarUrl: row.avatarUrl,
          },
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
        media: row.media,
        ...(scope.ctx.actorId
          ? { viewer: { liked: liked.has(row.id), shared: shared.has(row.id) } }
          : {}),
      });
      return rows.map((row) => {
        const original = row.sharedPostId ? byId.get(row.sharedPostId) : undefined;
        return record(row, original ? record(original, null) : null);
      });
    },
  };
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
      and(
        eq(posts.authorId, authorId),
        after ? lt(posts.id, after) : undefined,
        notBlocked(scope.ctx.actorId, posts),
        shownTo(scope),
      ),
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
              notBlocked(scope.ctx.actorId, posts),
              shownTo(scope),
            ),
          )
          .orderBy(desc(postTags.postId))
          .limit(query.limit + 1)
      ).map((row) => row.post)
    : await db
        .select()
        .from(posts)
        .where(
          and(
            after ? lt(posts.id, after) : undefined,
            notBlocked(scope.ctx.actorId, posts),
            shownTo(scope),
          ),
        )
        .orderBy(desc(posts.id))
        .limit(query.limit + 1);
  return page(scope, rows, query.limit);
}

/**
 * How many merged posts (those of celebrities, not fanned out) one page of the cursor-paged feed
 * reads at most, newest first: the bound on the merge's cost, however many celebrities exist or the
 * reader follows. A page whose merge reached it ends there, and its cursor carries on below.
 */
export const MERGE_SCAN = 1000;

/**
 * Where a page of the home feed starts (after a cursor's post, then so many posts in), how many
 * posts it takes, how many merged posts it may read to find them, and whether the page ends where
 * that read did (a cursor can resume there; a position cannot).
 */
type FeedWindow = {
  before: string | undefined;
  offset: number;
  take: number;
  depth: number;
  endAtEdge: boolean;
};

/** A feed's filter, for its reader, with the posts that reader may see (visibility.ts). */
type FeedSelection = z.output<typeof FeedFilter> & { reader: string; shown: SQL };

/**
 * The reader's fanned-out timeline rows a filter keeps; through posts, so a deleted post leaves at
 * once, and a post across a block or by a muted account is left out even when its row was written
 * before the block or mute reached this service.
 */
function fannedOut(selection: FeedSelection, before: string | undefined): SQL | undefined {
  return and(
    eq(timelineEntries.userId, selection.reader),
    before ? lt(timelineEntries.postId, before) : undefined,
    selection.followedOnly ? ne(timelineEntries.authorId, selection.reader) : undefined,
    selection.originalsOnly ? isNull(posts.sharedPostId) : undefined,
    notBlockedOrMuted(selection.reader, posts),
    selection.shown,
  );
}

/**
 * How many of a reader's follows the feed looks through to learn they follow no one merged: the
 * bound on that look, whatever the reader follows.
 */
export const FOLLOWS_CHECKED = 1000;

/**
 * Whether the reader may follow someone whose posts are merged: only then can a merged post the
 * page's merge did not reach belong in the reader's feed. A walk of at most FOLLOWS_CHECKED of the
 * reader's follows, each an index probe of merged_posts, stopping at the first; a reader who follows
 * more than that is taken to (their pages stop at the edge, as everyone's did before).
 */
function followsMerged(reader: string): SQL {
  const follows = sql`SELECT ${followStates.followeeId} AS followee FROM ${followStates} WHERE ${followStates.followerId} = ${reader} AND ${followStates.following} = 1 LIMIT ${FOLLOWS_CHECKED + 1}`;
  return sql`(SELECT count(*) > ${FOLLOWS_CHECKED} OR coalesce(max(EXISTS (SELECT 1 FROM ${mergedPosts} WHERE ${mergedPosts.authorId} = f.followee)), 0) FROM (${follows}) f)`;
}

/**
 * The oldest merged post within `depth` of the window's start, or nothing when fewer remain: the
 * edge of what one page can merge. A bounded range of merged_posts' key. Given a reader, the edge
 * a page must stop at: none when the reader follows no one whose posts are merged, since then
 * nothing below the edge is missing from the page (a reader who follows no celebrity gets full
 * pages however many celebrities post).
 */
function mergeEdge(db: Db, before: string | undefined, depth: number, reader?: string) {
  return db
    .select({ id: mergedPosts.postId })
    .from(mergedPosts)
    .where(
      and(
        before ? lt(mergedPosts.postId, before) : undefined,
        reader ? followsMerged(reader) : undefined,
      ),
    )
    .orderBy(desc(mergedPosts.postId))
    .limit(1)
    .offset(depth - 1);
}

/**
 * The ids of the newest `take` posts of the feed down to the merge's edge: the fanned-out rows, and
 * the merged posts whose author the reader follows, each an index range cut at `take`, as one set.
 */
function feedIds(db: Db, selection: FeedSelection, window: FeedWindow, take: number) {
  // Scalar subqueries: SQLite reads each edge once for the whole statement. The merge reads down to
  // its depth; the fanned-out rows stop where the page must (nowhere, for a reader who follows no
  // one merged).
  const edge = sql`coalesce((${mergeEdge(db, window.before, window.depth)}), '')`;
  const pageEdge = sql`coalesce((${mergeEdge(db, window.before, window.depth, selection.reader)}), '')`;
  const fanned = db
    .select({ id: timelineEntries.postId })
    .from(timelineEntries)
    .innerJoin(posts, eq(posts.id, timelineEntries.postId))
    .where(
      and(
        fannedOut(selection, window.before),
        window.endAtEdge ? gte(timelineEntries.postId, pageEdge) : undefined,
      ),
    )
    .orderBy(desc(timelineEntries.postId))
    .limit(take);
  // EXISTS rather than joins keeps merged_posts' key range the outer loop: the scan walks it newest
  // first and stops at `take` posts the reader follows, or at the edge.
  const merged = db
    .select({ id: mergedPosts.postId })
    .from(mergedPosts)
    .where(
      and(
        window.before ? lt(mergedPosts.postId, window.before) : undefined,
        gte(mergedPosts.postId, edge),
        sql`EXISTS (SELECT 1 FROM ${followStates} WHERE ${followStates.followerId} = ${selection.reader} AND ${followStates.followeeId} = ${mergedPosts.authorId} AND ${followStates.following} = 1)`,
        // The post still stands, passes the filter, and nothing hides it from the reader.
        sql`EXISTS (SELECT 1 FROM ${posts} WHERE ${posts.id} = ${mergedPosts.postId}${selection.originalsOnly ? sql` AND ${posts.sharedPostId} IS NULL` : sql``} AND ${notBlockedOrMuted(selection.reader, posts)} AND (${selection.shown}))`,
      ),
    )
    .orderBy(desc(mergedPosts.postId))
    .limit(take);
  // SQLite allows LIMIT only on a whole compound select: each side is a subquery of its own.
  return union(db.select().from(fanned.as("fanned_out")), db.select().from(merged.as("merged")));
}

/**
 * One page of the reader's home feed, newest first: their fanned-out timeline rows merged with the
 * posts of the celebrities they follow, which were not fanned out. Every part is an index range
 * bounded by the page's end or the merge's depth, so a page costs the same for a reader following
 * ten accounts or ten thousand, among ten celebrities or a hundred thousand; and it is one D1 round
 * trip, with no call to the users service (follows come from this service's `follow_states`).
 * Returns the merge's edge when the page reached it.
 */
async function feedPage(
  scope: Scope,
  selection: FeedSelection,
  window: FeedWindow,
): Promise<{ rows: PostRow[]; edge: string | null }> {
  const { db } = scope;
  const [edge, rows] = await db.batch([
    mergeEdge(db, window.before, window.depth, selection.reader),
    db
      .select()
      .from(posts)
      .where(inArray(posts.id, feedIds(db, selection, window, window.offset + window.take)))
      .orderBy(desc(posts.id))
      .limit(window.take)
      .offset(window.offset),
  ]);
  return { rows, edge: edge[0]?.id ?? null };
}

/** How many posts the reader's whole home feed holds, exact up to MAX_COUNTED. */
async function feedTotal(scope: Scope, selection: FeedSelection): Promise<number> {
  const { db } = scope;
  const window = {
    before: undefined,
    offset: 0,
    take: MAX_COUNTED,
    depth: MAX_COUNTED,
    endAtEdge: false,
  };
  const counted = feedIds(db, selection, window, MAX_COUNTED);
  const [row] = await db.select({ n: count() }).from(counted.as("feed"));
  return Math.min(row?.n ?? 0, MAX_COUNTED);
}

/**
 * The reader's home timeline after a cursor: their own posts and shares and those of the accounts
 * they follow, narrowed by the filter given. A page the merge's depth cut short may hold fewer than
 * `limit` posts; its cursor then starts the next page at the merge's edge, so nothing is skipped.
 */
export async function homeFeed(scope: Scope, raw: FeedQuery): Promise<Page<PostRecord>> {
  const { limit, cursor, ...filter } = parseInput(FeedQuerySchema, raw);
  const selection = { ...filter, reader: actor(scope), shown: shownTo(scope) };
  const window = {
    before: decodeCursor(cursor),
    offset: 0,
    take: limit + 1,
    depth: MERGE_SCAN,
    endAtEdge: true,
  };
  const { rows, edge } = await feedPage(scope, selection, window);
  const result = await page(scope, rows, limit);
  // A short page that reached the edge is not the end: the next one starts just below it.
  if (result.nextCursor !== null || edge === null) return result;
  return { items: result.items, nextCursor: encodeCursor(edge) };
}

/**
 * The same home timeline by position, with how many posts it holds in all. A position cannot resume
 * at the merge's edge, so the merge reads as deep as the count does: the newest MAX_COUNTED merged
 * posts, the same constant bound the count has.
 */
export async function homeFeedByOffset(
  scope: Scope,
  raw: FeedOffsetQuery,
): Promise<OffsetPage<PostRecord>> {
  const { limit, offset, ...filter } = parseInput(FeedOffsetQuerySchema, raw);
  const selection = { ...filter, reader: actor(scope), shown: shownTo(scope) };
  const window = { before: undefined, offset, take: limit, depth: MAX_COUNTED, endAtEdge: false };
  const { rows } = await feedPage(scope, selection, window);
  const [items, total] = await Promise.all([hydrate(scope, rows), feedTotal(scope, selection)]);
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
          notBlocked(scope.ctx.actorId, posts),
          shownTo(scope),
        ),
      )
      .orderBy(desc(posts.id))
      .limit(query.limit + 1),
  ]);
  if (known.length === 0) throw new AppError("not_found", `No author @${handle} known here.`);
  return page(scope, rows, query.limit);
}
