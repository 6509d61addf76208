import { roleChange } from "../../scripts/moderator.ts";
import { PASSWORD, type User } from "./client";
import type { Flock } from "./harness";

type D1 = { prepare(query: string): { run(): Promise<unknown> } };

async function usersDb(server: Flock): Promise<D1> {
  return ((await server.getWorker("flock-users").getEnv()) as { DB: D1 }).DB;
}

/** Signs the account in again: a new session, whose standing (role, age) the gateway learns now. */
async function signInAgain(server: Flock, user: User): Promise<User> {
  const reply = await server.fetch("http://localhost/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login: user.handle, password: PASSWORD }),
  });
  const body = (await reply.json()) as { token: string };
  return { ...user, token: body.token };
}

/** Makes an account a moderator with the statements `npm run moderator -- grant` runs. */
export async function makeModerator(server: Flock, user: User): Promise<User> {
  const db = await usersDb(server);
  for (const statement of roleChange(user.handle, "moderator", "system test"))
    await db.prepare(statement).run();
  return signInAgain(server, user);
}

/** Backdates an account's registration by `days`, so that its reports count toward hiding. */
export async function establish(server: Flock, user: User, days = 2): Promise<User> {
  const db = await usersDb(server);
  const createdAt = new Date(Date.now() - days * 24 * 60 * 60 * 1000).toISOString();
  await db.prepare(`UPDATE users SET created_at = '${createdAt}' WHERE id = '${user.id}'`).run();
  return signInAgain(server, user);
}
