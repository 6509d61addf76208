import { type Db, nowIso, type Statement } from "@flock/kit";
import { sql } from "drizzle-orm";
import { celebrities, timelineEntries } from "./db/schema";
import type { Audience } from "./scope";

/** How many followers get a new post in the same request; the rest get it from the posts inbox. */
export const SYNC_FANOUT = 100;
/** Followers fetched and written per step of the asynchronous fan-out. */
export const ASYNC_FANOUT_PAGE = 1000;

/**
 * Puts a post into the timelines of the given readers in one statement, whatever their number: the
 * ids travel as one JSON parameter. A reader who has it already is skipped, so replays are harmless.
 */
export function deliver(
  db: Db,
  post: { id: string; authorId: string },
  readerIds: readonly string[],
): Statement {
  return (
    db
      .insert(timelineEntries)
      // WHERE true: without it SQLite would read the ON CONFLICT that follows as a join constraint.
      .select(
        sql`SELECT value, ${post.id}, ${post.authorId} FROM json_each(${JSON.stringify(readerIds)}) WHERE true`,
      )
      .onConflictDoNothing()
  );
}

/**
 * Fans a post out to every follower of its author, a page at a time; authors at or above the
 * celebrity threshold are skipped, since their posts are merged into feeds at read time.
 */
export async function fanOut(
  db: Db,
  audience: Audience,
  post: { id: string; authorId: string },
  celebrityFollowers: number,
): Promise<number> {
  let cursor: string | undefined;
  let delivered = 0;
  do {
    const page = await audience.followerIds(post.authorId, { limit: ASYNC_FANOUT_PAGE, cursor });
    if (page.total >= celebrityFollowers) {
      // Remembered here too: when the users service was down at write time, this is where we learn it.
      await db
        .insert(celebrities)
        .values({ authorId: post.authorId, since: nowIso() })
        .onConflictDoNothing();
      return 0;
    }
    if (page.items.length > 0) {
      await db.batch([deliver(db, post, page.items)]);
      delivered += page.items.length;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return delivered;
}
