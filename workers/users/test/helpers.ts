import { env } from "cloudflare:workers";
import type { User } from "@flock/contracts";
import { createDb } from "@flock/kit";
import { register } from "../src/accounts";
import type { Scope } from "../src/scope";

export function scopeOf(actorId: string | null = null): Scope {
  return { db: createDb(env.DB), ctx: { requestId: "test", actorId } };
}

let counter = 0;

/** Registers a user with a unique handle made from `name`. */
export async function newUser(name = "user"): Promise<User> {
  counter += 1;
  const handle = `${name}_${counter}_${Math.floor(Math.random() * 1e6)}`.slice(0, 30);
  return register(scopeOf(), {
    handle,
    email: `${handle}@example.com`,
    password: "correct horse battery",
  });
}

export async function outboxTypes(): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT type FROM outbox ORDER BY id").all<{
    type: string;
  }>();
  return results.map((row) => row.type);
}

export { failureCode } from "@flock/testing/expect";
