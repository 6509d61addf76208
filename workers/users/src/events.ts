import type { Event } from "@flock/contracts";
import type { Db, Statement } from "@flock/kit";
import { eq, sql } from "drizzle-orm";
import { users } from "./db/schema";

/** What the users service does with the events it subscribes to: keep post counts. */
export async function applyEvent(db: Db, event: Event): Promise<Statement[]> {
  switch (event.type) {
    case "post.created":
      return [
        db
          .update(users)
          .set({ postCount: sql`${users.postCount} + 1` })
          .where(eq(users.id, event.data.authorId)),
      ];
    case "post.deleted":
      return [
        db
          .update(users)
          .set({ postCount: sql`max(${users.postCount} - 1, 0)` })
          .where(eq(users.id, event.data.authorId)),
      ];
    default:
      return [];
  }
}
