import { eq, or, type SQL, sql } from "drizzle-orm";
import { posts } from "./db/schema";
import type { Scope } from "./scope";

/**
 * The posts a viewer may see: visible ones, and their own whatever their status (a held or hidden
 * post is shown to its author alone, marked as such). Every read of posts applies it.
 */
export function shownTo(scope: Scope): SQL {
  const viewer = scope.ctx.actorId;
  const visible = eq(posts.status, "visible");
  return viewer ? (or(visible, eq(posts.authorId, viewer)) ?? visible) : visible;
}

/** shownTo in the raw SQL of listings, over posts aliased `p`. */
export function shownToAliased(scope: Scope): SQL {
  const viewer = scope.ctx.actorId;
  return viewer
    ? sql`(p.status = 'visible' OR p.author_id = ${viewer})`
    : sql`p.status = 'visible'`;
}
