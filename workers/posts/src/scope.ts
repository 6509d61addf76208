import type { CallContext, ClaimedMedia, ListQuery, Page } from "@flock/contracts";
import type { Db } from "@flock/kit";

/**
 * Who follows whom, as the posts service needs it. The users service owns the follow graph; the
 * entrypoint adapts its RPC binding to this, so domain code does not care how it is reached.
 */
export type Audience = {
  /** Follower ids of an author, newest follow first, with the author's total follower count. */
  followerIds(authorId: string, query: ListQuery): Promise<Page<string> & { total: number }>;
};

/** The uploads a post attaches, as the media service hands them over (it owns them and checks who may). */
export type MediaClaims = {
  /** Attaches the caller's uploads to a post: ownership, existence and being free are checked there. */
  claim(postId: string, ids: string[]): Promise<ClaimedMedia[]>;
  /** Frees what `claim` attached to a post whose write then failed, so a retry can attach it again. */
  release(postId: string): Promise<void>;
};

/** What every posts operation works with. */
export type Scope = {
  db: Db;
  ctx: CallContext;
  /** Authors with at least this many followers are merged at read time instead of fanned out. */
  celebrityFollowers: number;
  media: MediaClaims;
};

export { actor } from "@flock/kit";
