import { env } from "cloudflare:workers";
import type { Event, EventType } from "@flock/contracts";
import { createDb, newId } from "@flock/kit";
import type { PostRef } from "../src/comments";
import type { Scope } from "../src/scope";

export function scopeOf(actorId: string | null = null): Scope {
  return { db: createDb(env.DB), ctx: { requestId: "test", actorId } };
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
