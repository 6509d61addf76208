import { env } from "cloudflare:workers";
import type { Event, EventType, Standing } from "@flock/contracts";
import { createDb, newId } from "@flock/kit";
import type { PostRef } from "../src/comments";
import type { Scope } from "../src/scope";

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
  return { db: createDb(env.DB), ctx };
}

/** A scope for a moderator. */
export function moderatorScope(actorId = newId()): Scope {
  return scopeOf(actorId, { ...ESTABLISHED, role: "moderator" });
}

/** A scope for an account registered a moment ago: its reports do not count toward hiding. */
export function newcomerScope(actorId = newId()): Scope {
  return scopeOf(actorId, { ...ESTABLISHED, createdAt: new Date().toISOString() });
}

/** A user of another service: the comments service only ever sees ids. */
export function newUser(): string {
  return newId();
}

/** A post as the posts service would describe it. */
export function newPost(authorId = newUser()): PostRef {
  return { postId: newId(), authorId };
}

/** Outbox events about one comment (or post), oldest first, optionally of one type. */
export async function eventsAbout<T extends EventType>(
  id: string,
  type?: T,
): Promise<Extract<Event, { type: T }>[]> {
  const { results } = await env.DB.prepare(
    "SELECT payload FROM outbox WHERE payload LIKE ? ORDER BY id",
  )
    .bind(`%${id}%`)
    .all<{ payload: string }>();
  return results
    .map((row) => JSON.parse(row.payload) as Event)
    .filter((event): event is Extract<Event, { type: T }> => !type || event.type === type);
}

export async function count(sql: string, ...params: string[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export { failureCode } from "@flock/testing/expect";
