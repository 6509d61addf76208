import { blockedBetween, mutedBy } from "@flock/kit";
import { eq, not, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { posts } from "./db/schema";
import type { Scope } from "./scope";

/** Where a query finds a post's author and what it shares: columns of `posts`, or a raw alias. */
export type PostColumns = { authorId: SQLiteColumn | SQL; sharedPostId: SQLiteColumn | SQL };

/** The authors a post shows: its own and, for a share, the original's (NULL for an original). */
function shownAuthors(post: PostColumns): SQL[] {
  return [
    sql`${post.authorId}`,
    sql`(SELECT o.author_id FROM posts o WHERE o.id = ${post.sharedPostId})`,
  ];
}

/**
 * The condition a post must meet to be shown to a signed-in reader: no block stands between the
 * reader and its author, or the author of the post it shares, whoever made the block. Read at query
 * time, so a timeline row fanned out before the block (or while it was in flight) is hidden too.
 */
export function notBlocked(reader: string | null, post: PostColumns): SQL | undefined {
  return reader ? not(blockedBetween(reader, shownAuthors(post))) : undefined;
}

/** `notBlocked`, and for the home feed also nothing by, or sharing, an account the reader mutes. */
export function notBlockedOrMuted(reader: string | SQL, post: PostColumns): SQL {
  return sql`NOT ${blockedBetween(reader, shownAuthors(post))} AND NOT ${mutedBy(reader, shownAuthors(post))}`;
}

/**
 * The posts a viewer may see: visible ones, and their own whatever their status (a held or hidden
 * post is shown to its author alone, marked as such). Every read of posts applies it.
 */
export function shownTo(scope: Pick<Scope, "ctx">): SQL {
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
