import { env } from "cloudflare:workers";
import type { Event, ListQuery, Standing } from "@flock/contracts";
import { createDb, encodeCursor, newId } from "@flock/kit";
import type { Audience, Scope } from "../src/scope";
import { mediaClaims } from "../src/service";

export const CELEBRITY = 5;

/** The standing of an account signed up two days ago: old enough for its reports to count. */
export const ESTABLISHED: Standing = {
  role: "member",
  createdAt: new Date(Date.now() - 2 * 24 * 60 * 60 * 1000).toISOString(),
  suspended: false,
};

/**
 * A scope acting for `actorId` (signed out when null) with the standing the users service would
 * vouch for: by default an established member's.
 */
export function scopeOf(actorId: string | null = null, standing: Standing = ESTABLISHED): Scope {
  const ctx = { requestId: "test", actorId, ...(actorId ? { standing } : {}) };
  // The media service is not running in these tests: attaching answers as an outage would.
  return { db: createDb(env.DB), ctx, celebrityFollowers: CELEBRITY, media: mediaClaims(env, ctx) };
}

/** A scope for a moderator. */
export function moderatorScope(actorId = newId()): Scope {
  return scopeOf(actorId, { ...ESTABLISHED, role: "moderator" });
}

/** A scope for an account registered a moment ago: its reports do not count toward hiding. */
export function newcomerScope(actorId = newId()): Scope {
  return scopeOf(actorId, { ...ESTABLISHED, createdAt: new Date().toISOString() });
}

export const userId = () => newId();

/**
 * A follow graph kept in memory, answering as the users service does (newest follow first, with
 * totals). The posts domain reaches the real graph through the same Audience port over RPC.
 */
export function followGraph() {
  const followers = new Map<string, string[]>();
  const audience: Audience = {
    async followerIds(authorId: string, query: ListQuery) {
      const all = [...(followers.get(authorId) ?? [])].reverse();
      const start = query.cursor
        ? all.indexOf(atob(query.cursor.replaceAll("-", "+").replaceAll("_", "/"))) + 1
        : 0;
      const items = all.slice(start, start + query.limit);
      const last = items.at(-1);
      const more = start + query.limit < all.length;
      return { items, nextCursor: more && last ? encodeCursor(last) : null, total: all.length };
    },
  };
  return {
    audience,
    follow(fan: string, author: string) {
      followers.set(author, [...(followers.get(author) ?? []), fan]);
    },
    unfollow(fan: string, author: string) {
      followers.set(
        author,
        (followers.get(author) ?? []).filter((id) => id !== fan),
      );
    },
    /**
     * Records every follow made so far in this service's follow_states, as the user.followed events
     * would leave it (their backfill aside): what the celebrity merge reads.
     */
    async deliverFollowEvents() {
      const pairs = [...followers].flatMap(([author, fans]) => fans.map((fan) => [fan, author]));
      await env.DB.prepare(
        `INSERT INTO follow_states (follower_id, followee_id, following, event_id)
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), 1, ?2 FROM json_each(?1)
         WHERE true ON CONFLICT DO NOTHING`,
      )
        .bind(JSON.stringify(pairs), newId())
        .run();
    },
    /** The first followers as the entrypoint hands them to createPost. */
    async firstFollowers(author: string) {
      const page = await audience.followerIds(author, { limit: 100 });
      return { ids: page.items, total: page.total };
    },
  };
}

export async function outboxTypes(): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT type FROM outbox ORDER BY id").all<{
    type: string;
  }>();
  return results.map((row) => row.type);
}

/** The outbox's events of `type` naming `about`, oldest id first, as the relay would send them. */
export async function outboxEvents(type: Event["type"], about: string): Promise<Event[]> {
  const { results } = await env.DB.prepare(
    "SELECT payload FROM outbox WHERE type = ? AND payload LIKE ? ORDER BY id",
  )
    .bind(type, `%${about}%`)
    .all<{ payload: string }>();
  return results.map((row) => JSON.parse(row.payload) as Event);
}

export { failureCode } from "@flock/testing/expect";

/** An author with enough followers to be a celebrity, whose follow events this service has heard. */
export async function celebrityWithFans(graph: ReturnType<typeof followGraph>) {
  const author = userId();
  const fans = Array.from({ length: CELEBRITY }, userId);
  for (const fan of fans) graph.follow(fan, author);
  await graph.deliverFollowEvents();
  return { author, fans };
}
