import type { Event } from "@flock/contracts";
import type { Db, Statement } from "@flock/kit";
import { and, count, eq, sql } from "drizzle-orm";
import { authoredPosts, users } from "./db/schema";

/** What the users service does with the events it subscribes to: keep post counts. */
export async function applyEvent(db: Db, event: Event): Promise<Statement[]> {
  switch (event.type) {
    case "post.created": {
      const { postId, authorId } = event.data;
      return [
        db.insert(authoredPosts).values({ postId, authorId, deleted: false }).onConflictDoNothing(),
        recount(db, authorId),
      ];
    }
    case "post.deleted": {
      const { postId, authorId } = event.data;
      return [
        // A deletion is final: whatever arrives about the post later changes nothing.
        db
          .insert(authoredPosts)
          .values({ postId, authorId, deleted: true })
          .onConflictDoUpdate({ target: authoredPosts.postId, set: { deleted: true } }),
        recount(db, authorId),
      ];
    }
    default:
      return [];
  }
}

/** Sets an author's post count to the live posts this service knows of (one index range). */
function recount(db: Db, authorId: string): Statement {
  const live = db
    .select({ n: count() })
    .from(authoredPosts)
    .where(and(eq(authoredPosts.authorId, authorId), eq(authoredPosts.deleted, false)));
  return db
    .update(users)
    .set({ postCount: sql`(${live})` })
    .where(eq(users.id, authorId));
}
