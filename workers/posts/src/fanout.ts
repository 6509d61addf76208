import { type Db, enqueue, makeEvent, nowIso, type Origin, type Statement } from "@flock/kit";
import { eq, sql } from "drizzle-orm";
import { celebrities, mergedPosts, outbox, timelineEntries } from "./db/schema";
import type { Audience } from "./scope";

/** How many followers get a new post in the same request; the rest get it from the posts inbox. */
export const SYNC_FANOUT = 100;
/** Followers fetched and written per event of the asynchronous fan-out: one statement a page. */
export const ASYNC_FANOUT_PAGE = 1000;

/**
 * The share of the celebrity threshold below which a celebrity is fanned out again. Between the two
 * lines an author keeps the status they have, so one follow or unfollow at the line flips nothing.
 */
export const DEMOTION_SHARE = 0.9;

/**
 * Whether an author with this many followers is a celebrity: at or above the threshold always, below
 * the demotion line never, and in between only if they already were (one primary-key read, only then).
 */
export async function isCelebrity(
  db: Db,
  authorId: string,
  followers: number,
  threshold: number,
): Promise<boolean> {
  if (followers >= threshold) return true;
  if (followers < Math.floor(threshold * DEMOTION_SHARE)) return false;
  return isRecordedCelebrity(db, authorId);
}

/** Whether the author is recorded as a celebrity now (promoted and not yet demoted). */
export async function isRecordedCelebrity(db: Db, authorId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: celebrities.authorId })
    .from(celebrities)
    .where(eq(celebrities.authorId, authorId));
  return row !== undefined;
}

/** Records an author's celebrity status; a demoted author's merged posts stay merged. */
export function setCelebrity(db: Db, authorId: string, celebrity: boolean): Statement {
  return celebrity
    ? db.insert(celebrities).values({ authorId, since: nowIso() }).onConflictDoNothing()
    : db.delete(celebrities).where(eq(celebrities.authorId, authorId));
}

/** Leaves a celebrity's post out of fan-out: the home feed merges it at read time instead. */
export function merge(db: Db, post: { id: string; authorId: string }): Statement {
  return db
    .insert(mergedPosts)
    .select(
      // Through posts, as deliver does: a post deleted meanwhile is merged for no one.
      sql`SELECT id, author_id FROM posts WHERE id = ${post.id}`,
    )
    .onConflictDoNothing();
}

/**
 * Puts a post into the timelines of the given readers in one statement, whatever their number: the
 * ids travel as one JSON parameter. A reader who has it already is skipped, so replays are harmless,
 * and a post deleted meanwhile is delivered to no one.
 */
export function deliver(
  db: Db,
  post: { id: string; authorId: string },
  readerIds: readonly string[],
): Statement {
  return (
    db
      .insert(timelineEntries)
      // The WHERE also keeps SQLite from reading the ON CONFLICT that follows as a join constraint.
      .select(
        sql`SELECT value, ${post.id}, ${post.authorId} FROM json_each(${JSON.stringify(readerIds)}) WHERE EXISTS (SELECT 1 FROM posts WHERE id = ${post.id})`,
      )
      .onConflictDoNothing()
  );
}

/**
 * One page of a post's fan-out, as the statements of one event: the post goes into the timelines of
 * the next page of its author's followers and, when more remain, a post.fanout_continued event in
 * the outbox carries on from there. Celebrities' posts are not fanned out, but merged into feeds at
 * read time.
 */
export async function fanOutPage(
  db: Db,
  audience: Audience,
  fanout: { post: { id: string; authorId: string }; cursor?: string; origin: Origin },
  celebrityFollowers: number,
): Promise<Statement[]> {
  const { post, cursor } = fanout;
  const page = await audience.followerIds(post.authorId, { limit: ASYNC_FANOUT_PAGE, cursor });
  const celebrity = await isCelebrity(db, post.authorId, page.total, celebrityFollowers);
  // Decided here too: when the users service was down at write time, this is where we learn it.
  const statements: Statement[] = [setCelebrity(db, post.authorId, celebrity)];
  if (celebrity) {
    // A continued fan-out of a post whose author became a celebrity meanwhile stops where it is:
    // the followers it reached keep their row, the rest get the post through the merge.
    statements.push(merge(db, post));
    return statements;
  }
  if (page.items.length > 0) statements.push(deliver(db, post, page.items));
  if (page.nextCursor) {
    const next = makeEvent("posts", fanout.origin, "post.fanout_continued", {
      postId: post.id,
      authorId: post.authorId,
      cursor: page.nextCursor,
    });
    statements.push(enqueue(db, outbox, next));
  }
  return statements;
}
