import { type Db, enqueue, makeEvent, nowIso, type Statement } from "@flock/kit";
import { sql } from "drizzle-orm";
import { celebrities, outbox, timelineEntries } from "./db/schema";
import type { Audience } from "./scope";

/** How many followers get a new post in the same request; the rest get it from the posts inbox. */
export const SYNC_FANOUT = 100;
/** Followers fetched and written per event of the asynchronous fan-out: one statement a page. */
export const ASYNC_FANOUT_PAGE = 1000;

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
 * the outbox carries on from there. Authors at or above the celebrity threshold are not fanned out,
 * since their posts are merged into feeds at read time.
 */
export async function fanOutPage(
  db: Db,
  audience: Audience,
  fanout: { post: { id: string; authorId: string }; cursor?: string; requestId: string },
  celebrityFollowers: number,
): Promise<Statement[]> {
  const { post, cursor } = fanout;
  const page = await audience.followerIds(post.authorId, { limit: ASYNC_FANOUT_PAGE, cursor });
  if (page.total >= celebrityFollowers) {
    // Remembered here too: when the users service was down at write time, this is where we learn it.
    return [
      db
        .insert(celebrities)
        .values({ authorId: post.authorId, since: nowIso() })
        .onConflictDoNothing(),
    ];
  }
  const statements: Statement[] = [];
  if (page.items.length > 0) statements.push(deliver(db, post, page.items));
  if (page.nextCursor) {
    const next = makeEvent("posts", fanout.requestId, "post.fanout_continued", {
      postId: post.id,
      authorId: post.authorId,
      cursor: page.nextCursor,
    });
    statements.push(enqueue(db, outbox, next));
  }
  return statements;
}
