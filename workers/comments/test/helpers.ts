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

/** Runs an operation expected to fail and returns its AppError code. */
export async function failureCode(operation: Promise<unknown>): Promise<string> {
  try {
    await operation;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  throw new Error("expected the operation to fail");
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
