import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { device, failureCode, PASSWORD, scopeOf, signUp } from "../test/helpers";
import { deleteMe, login, updateAccount, updateMe } from "./accounts";
import { checkSession, endOtherSessions, endSession, listSessions, MAX_SESSIONS } from "./sessions";

/** What checkSession answers for a live session of a fresh account. */
const LIVE = { role: "member", suspended: false };

/** A second sign-in of the same account, from another device. */
async function signInAgain(handle: string, userAgent = "other-device/2.0") {
  return (await login(scopeOf(), { login: handle, password: PASSWORD }, { userAgent })).sessionId;
}

async function lastUsedAt(sessionId: string): Promise<string | undefined> {
  const row = await env.DB.prepare("SELECT last_used_at FROM sessions WHERE id = ?")
    .bind(sessionId)
    .first<{ last_used_at: string }>();
  return row?.last_used_at;
}

describe("sessions", () => {
  it("opens a session on register and on each login, listed newest first with its device", async () => {
    const { user, sessionId: first } = await signUp("sam");
    const second = await signInAgain(user.handle);
    const { items } = await listSessions(scopeOf(user.id, second));
    expect(items.map((session) => [session.id, session.userAgent, session.current])).toEqual([
      [second, "other-device/2.0", true],
      [first, device.userAgent, false],
    ]);
    expect(await checkSession(scopeOf(user.id), first)).toMatchObject(LIVE);
  });

  it("refuses a session that is not the actor's, or does not exist", async () => {
    const [a, b] = [await signUp("tia"), await signUp("ugo")];
    expect(await checkSession(scopeOf(a.user.id), b.sessionId)).toBeNull();
    expect(await checkSession(scopeOf(a.user.id), "01JD0000000000000000000000")).toBeNull();
  });

  it("ends one of your sessions, and finds no session of another account to end", async () => {
    const [a, b] = [await signUp("vic"), await signUp("wes")];
    expect(await failureCode(endSession(scopeOf(a.user.id), b.sessionId))).toBe("not_found");
    expect(await checkSession(scopeOf(b.user.id), b.sessionId)).toMatchObject(LIVE);
    await endSession(scopeOf(a.user.id, a.sessionId), a.sessionId);
    expect(await checkSession(scopeOf(a.user.id), a.sessionId)).toBeNull();
    expect(await failureCode(endSession(scopeOf(a.user.id), a.sessionId))).toBe("not_found");
  });

  it("ends every other session and keeps the current one", async () => {
    const { user, sessionId: current } = await signUp("xia");
    const others = [await signInAgain(user.handle), await signInAgain(user.handle)];
    await endOtherSessions(scopeOf(user.id, current));
    for (const other of others) expect(await checkSession(scopeOf(user.id), other)).toBeNull();
    expect((await listSessions(scopeOf(user.id, current))).items.map((s) => s.id)).toEqual([
      current,
    ]);
  });

  // Each sign-in hashes the password for real (PBKDF2): give the many of them time on a busy machine.
  it("ends the oldest sessions beyond the most an account keeps", { timeout: 30_000 }, async () => {
    const { user, sessionId: oldest } = await signUp("yan");
    for (let i = 1; i < MAX_SESSIONS; i++) await signInAgain(user.handle);
    expect((await listSessions(scopeOf(user.id))).items).toHaveLength(MAX_SESSIONS);
    expect(await checkSession(scopeOf(user.id), oldest)).toMatchObject(LIVE);
    await signInAgain(user.handle);
    expect((await listSessions(scopeOf(user.id))).items).toHaveLength(MAX_SESSIONS);
    expect(await checkSession(scopeOf(user.id), oldest)).toBeNull();
  });

  it("refuses a session a week old, as its token has expired", async () => {
    const { user, sessionId } = await signUp("zed");
    const weekAgo = new Date(Date.now() - 7 * 24 * 3600 * 1000 - 1000).toISOString();
    await env.DB.prepare("UPDATE sessions SET created_at = ? WHERE id = ?")
      .bind(weekAgo, sessionId)
      .run();
    expect(await checkSession(scopeOf(user.id), sessionId)).toBeNull();
    expect((await listSessions(scopeOf(user.id))).items).toEqual([]);
  });

  it("records when a session was last used at most once a minute", async () => {
    const { user, sessionId } = await signUp("abe");
    const opened = await lastUsedAt(sessionId);
    expect(await checkSession(scopeOf(user.id), sessionId)).toMatchObject(LIVE);
    expect(await lastUsedAt(sessionId)).toBe(opened);
    const minuteAgo = new Date(Date.now() - 61_000).toISOString();
    await env.DB.prepare("UPDATE sessions SET last_used_at = ? WHERE id = ?")
      .bind(minuteAgo, sessionId)
      .run();
    expect(await checkSession(scopeOf(user.id), sessionId)).toMatchObject(LIVE);
    const touched = await lastUsedAt(sessionId);
    expect(touched && touched > minuteAgo).toBe(true);
  });
});

describe("re-authentication", () => {
  it("refuses a new email or password without the current password, or with a wrong one", async () => {
    const { user, sessionId } = await signUp("bea");
    const scope = scopeOf(user.id, sessionId);
    for (const change of [
      { email: "taken-over@example.com" },
      { password: "the thief's password" },
      { email: "taken-over@example.com", currentPassword: "not the password" },
      { password: "the thief's password", currentPassword: "" },
    ])
      expect(await failureCode(updateMe(scope, change))).toBe("forbidden");
    // Neither field changed: the owner still signs in with the old password and email.
    expect(
      (await login(scopeOf(), { login: user.email, password: PASSWORD }, device)).user.id,
    ).toBe(user.id);
  });

  it("needs no current password for a change of name or bio, or for the same email", async () => {
    const { user, sessionId } = await signUp("cal");
    const updated = await updateMe(scopeOf(user.id, sessionId), {
      displayName: "Cal",
      email: user.email,
    });
    expect(updated.displayName).toBe("Cal");
  });

  it("changes the email with the current password", async () => {
    const { user, sessionId } = await signUp("dot");
    const email = `new-${user.handle}@example.com`;
    const updated = await updateMe(scopeOf(user.id, sessionId), {
      email,
      currentPassword: PASSWORD,
    });
    expect(updated.email).toBe(email);
  });

  it("ends every other session when the password changes, and keeps the current one", async () => {
    const { user, sessionId: current } = await signUp("eve");
    const other = await signInAgain(user.handle);
    await updateMe(scopeOf(user.id, current), {
      password: "a brand new password",
      currentPassword: PASSWORD,
    });
    expect(await checkSession(scopeOf(user.id), current)).toMatchObject(LIVE);
    expect(await checkSession(scopeOf(user.id), other)).toBeNull();
  });

  it("ends every other session on a password change through updateAccount, which asks no current password", async () => {
    const { user, sessionId: current } = await signUp("fin");
    const other = await signInAgain(user.handle);
    await updateAccount(scopeOf(user.id, current), { bio: "no session ends for this" });
    expect(await checkSession(scopeOf(user.id), other)).toMatchObject(LIVE);
    await updateAccount(scopeOf(user.id, current), { password: "a brand new password" });
    expect(await checkSession(scopeOf(user.id), current)).toMatchObject(LIVE);
    expect(await checkSession(scopeOf(user.id), other)).toBeNull();
  });

  it("deletes an account only with its password, and every session with it", async () => {
    const { user, sessionId } = await signUp("gil");
    const other = await signInAgain(user.handle);
    const scope = scopeOf(user.id, sessionId);
    expect(await failureCode(deleteMe(scope, {}))).toBe("forbidden");
    expect(await failureCode(deleteMe(scope, { password: "not the password" }))).toBe("forbidden");
    expect(await checkSession(scopeOf(user.id), sessionId)).toMatchObject(LIVE);
    await deleteMe(scope, { password: PASSWORD });
    for (const id of [sessionId, other])
      expect(await checkSession(scopeOf(user.id), id)).toBeNull();
    const { count } = (await env.DB.prepare(
      "SELECT count(*) AS count FROM sessions WHERE user_id = ?",
    )
      .bind(user.id)
      .first<{ count: number }>()) ?? { count: -1 };
    expect(count).toBe(0);
  });
});
