import { env } from "cloudflare:workers";
import type { SignIn, User } from "@flock/contracts";
import { createDb } from "@flock/kit";
import { register } from "../src/accounts";
import type { Scope } from "../src/scope";

/** A scope acting for `actorId` (signed out when null), signed in with `sessionId` when given. */
export function scopeOf(actorId: string | null = null, sessionId?: string): Scope {
  const ctx = { requestId: "test", actorId, ...(sessionId ? { sessionId } : {}) };
  return { db: createDb(env.DB), ctx };
}

/** The password every user newUser makes signs in with. */
export const PASSWORD = "correct horse battery";

/** What the test client tells about itself when it signs in. */
export const device = { userAgent: "flock-tests/1.0" };

let counter = 0;

/** Registers a user with a unique handle made from `name`: the account and its first session. */
export async function signUp(name = "user"): Promise<SignIn> {
  counter += 1;
  const handle = `${name}_${counter}_${Math.floor(Math.random() * 1e6)}`.slice(0, 30);
  return register(
    scopeOf(),
    { handle, email: `${handle}@example.com`, password: PASSWORD },
    device,
  );
}

/** Registers a user with a unique handle made from `name`. */
export async function newUser(name = "user"): Promise<User> {
  return (await signUp(name)).user;
}

export async function outboxTypes(): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT type FROM outbox ORDER BY id").all<{
    type: string;
  }>();
  return results.map((row) => row.type);
}

export { failureCode } from "@flock/testing/expect";
