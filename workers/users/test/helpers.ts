import { env } from "cloudflare:workers";
import type { Event, SignIn, User } from "@flock/contracts";
import { createDb } from "@flock/kit";
import { recordedMail, type SentMail, sentMail } from "@flock/testing/mail";
import { register } from "../src/accounts";
import { type MailedPage, mailer } from "../src/mail";
import type { Scope } from "../src/scope";

// Mails go out through the real binding, handed to this waitUntil as in a deployed call.
const sending: Promise<unknown>[] = [];
const execution = {
  waitUntil(promise: Promise<unknown>) {
    sending.push(promise);
  },
};
const mail = mailer(
  { ...env, SEND_EMAIL: recordedMail(env.SEND_EMAIL, { log: false }) },
  execution,
  "test",
);

/** A scope acting for `actorId` (signed out when null), signed in with `sessionId` when given. */
export function scopeOf(actorId: string | null = null, sessionId?: string): Scope {
  const ctx = { requestId: "test", actorId, ...(sessionId ? { sessionId } : {}) };
  return { db: createDb(env.DB), ctx, mailer: mail };
}

/** The mails sent to `to` so far, oldest first, once every send begun has finished. */
export async function mailTo(to: string): Promise<SentMail[]> {
  await Promise.all(sending.splice(0));
  return sentMail.filter((sent) => sent.to === to);
}

/** The token of the newest link to `page` mailed to `to`. */
export async function tokenMailedTo(to: string, page: MailedPage): Promise<string> {
  const links = (await mailTo(to)).flatMap((sent) => [
    ...sent.text.matchAll(new RegExp(`/${page}#token=([0-9a-f]+)`, "g")),
  ]);
  const token = links.at(-1)?.[1];
  if (!token) throw new Error(`no ${page} link mailed to ${to}`);
  return token;
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
export { heldAtCommit } from "@flock/testing/race";
