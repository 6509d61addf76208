// Sessions and re-authentication through the gateway, with every worker running: logout, the list of
// sessions, ending one or all others, the current password a new email or password needs, the
// password an account's deletion needs, and the window within which an ended session's token is
// refused everywhere. docs/SECURITY.md names these tests.
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { PASSWORD, type Reply, sessionOf, type User } from "./client";
import { TEST_JWT_SECRET, useFlock } from "./harness";

// Short, so the test can watch the window close; production keeps the 60 s of wrangler.toml.
const RECHECK_MS = 1000;
const flock = useFlock({ SESSION_RECHECK_MS: String(RECHECK_MS) });

function expectProblem(reply: Reply, status: number) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toContain("application/problem+json");
}

/** Signs the user in once more, from another device: a second session with its own token. */
async function signInAgain(user: User, userAgent = "second-device/1.0"): Promise<string> {
  const reply = await flock.api.request("POST", "/v1/auth/login", {
    body: { login: user.handle, password: PASSWORD },
    headers: { "user-agent": userAgent },
  });
  expect(reply.status).toBe(200);
  return reply.body.token;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("sessions", () => {
  it("logs out: the token is refused at once, and the account's other sessions go on", async () => {
    const user = await flock.api.signUp("bye");
    const other = await signInAgain(user);
    expect((await flock.api.post("/v1/auth/logout", undefined, user.token)).status).toBe(204);
    expectProblem(await flock.api.get("/v1/me", user.token), 401);
    expectProblem(await flock.api.post("/v1/auth/logout", undefined, user.token), 401);
    // Refused on the public routes and on RealWorld's API as well.
    expectProblem(await flock.api.get("/v1/posts", user.token), 401);
    const realWorld = await flock.api.request("GET", "/api/user", {
      headers: { authorization: `Token ${user.token}` },
    });
    expect(realWorld.status).toBe(401);
    expect((await flock.api.get("/v1/me", other)).status).toBe(200);
  });

  it("lists your sessions with their device, newest first, this one marked current", async () => {
    const user = await flock.api.signUp("devices");
    const second = await signInAgain(user, "flock-phone/2.1");
    const reply = await flock.api.get("/v1/me/sessions", second);
    expect(reply.status).toBe(200);
    expect(
      reply.body.items.map((s: { id: string; userAgent: string; current: boolean }) => [
        s.id,
        s.userAgent,
        s.current,
      ]),
    ).toEqual([
      [sessionOf(second), "flock-phone/2.1", true],
      [sessionOf(user.token), expect.any(String), false],
    ]);
    for (const session of reply.body.items)
      expect(session).toEqual({
        id: expect.any(String),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        userAgent: expect.any(String),
        current: expect.any(Boolean),
      });
  });

  it("ends another of your sessions, whose token is refused at once; another account's is not found", async () => {
    const user = await flock.api.signUp("ender");
    const stranger = await flock.api.signUp("stranger");
    const other = await signInAgain(user);
    expectProblem(await flock.api.del(`/v1/me/sessions/${sessionOf(other)}`, stranger.token), 404);
    expect((await flock.api.get("/v1/me", other)).status).toBe(200);
    expect((await flock.api.del(`/v1/me/sessions/${sessionOf(other)}`, user.token)).status).toBe(
      204,
    );
    expectProblem(await flock.api.get("/v1/me", other), 401);
    expectProblem(await flock.api.del(`/v1/me/sessions/${sessionOf(other)}`, user.token), 404);
    expect((await flock.api.get("/v1/me", user.token)).status).toBe(200);
  });

  it("signs out everywhere else and keeps this session", async () => {
    const user = await flock.api.signUp("elsewhere");
    const others = [await signInAgain(user), await signInAgain(user)];
    expect((await flock.api.del("/v1/me/sessions", user.token)).status).toBe(204);
    for (const token of others) expectProblem(await flock.api.get("/v1/me", token), 401);
    const left = await flock.api.get("/v1/me/sessions", user.token);
    expect(left.body.items.map((s: { id: string }) => s.id)).toEqual([sessionOf(user.token)]);
  });

  it("refuses a token issued before sessions, which names none", async () => {
    const { id, handle } = await flock.api.signUp("old");
    const now = Math.floor(Date.now() / 1000);
    const old = await sign(
      { sub: id, handle, iat: now, exp: now + 3600 },
      TEST_JWT_SECRET,
      "HS256",
    );
    expectProblem(await flock.api.get("/v1/me", old), 401);
  });

  it("refuses an ended session's token everywhere within the recheck window", async () => {
    const user = await flock.api.signUp("window");
    expect((await flock.api.get("/v1/me", user.token)).status).toBe(200);
    // Ended behind this gateway's back, as a request through another location would end it.
    type Users = { prepare(query: string): { bind(id: string): { run(): Promise<unknown> } } };
    const { DB } = (await flock.server.getWorker("flock-users").getEnv()) as { DB: Users };
    await DB.prepare("DELETE FROM sessions WHERE id = ?").bind(sessionOf(user.token)).run();
    const startedAt = Date.now();
    let refusedAfter: number | null = null;
    while (refusedAfter === null && Date.now() - startedAt < RECHECK_MS * 5) {
      if ((await flock.api.get("/v1/me", user.token)).status === 401)
        refusedAfter = Date.now() - startedAt;
      else await sleep(100);
    }
    expect(refusedAfter).not.toBeNull();
    expect(refusedAfter).toBeLessThanOrEqual(RECHECK_MS + 500);
  });
});

describe("re-authentication", () => {
  it("refuses a new email or password without the current password, or with a wrong one", async () => {
    const user = await flock.api.signUp("reauth");
    for (const change of [
      { email: `thief-${user.handle}@example.com` },
      { password: "the thief's own password" },
      { email: `thief-${user.handle}@example.com`, currentPassword: "not it at all" },
    ])
      expectProblem(await flock.api.patch("/v1/me", change, user.token), 403);
    const login = await flock.api.post("/v1/auth/login", {
      login: `${user.handle}@example.com`,
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
  });

  it("changes the password with the current one, ending every other session but this one", async () => {
    const user = await flock.api.signUp("newpass");
    const other = await signInAgain(user);
    const reply = await flock.api.patch(
      "/v1/me",
      { password: "a much better password", currentPassword: PASSWORD },
      user.token,
    );
    expect(reply.status).toBe(200);
    expectProblem(await flock.api.get("/v1/me", other), 401);
    expect((await flock.api.get("/v1/me", user.token)).status).toBe(200);
    const withNew = await flock.api.post("/v1/auth/login", {
      login: user.handle,
      password: "a much better password",
    });
    expect(withNew.status).toBe(200);
  });

  it("deletes an account only with its password, ending every session", async () => {
    const user = await flock.api.signUp("delete");
    const other = await signInAgain(user);
    expectProblem(await flock.api.del("/v1/me", user.token), 403);
    expectProblem(await flock.api.deleteAccount(user.token, "not the password"), 403);
    expect((await flock.api.get("/v1/me", user.token)).status).toBe(200);
    expect((await flock.api.deleteAccount(user.token)).status).toBe(204);
    for (const token of [user.token, other])
      expectProblem(await flock.api.get("/v1/me", token), 401);
  });

  it("ends every other session on RealWorld's password change, which asks no current password", async () => {
    const user = await flock.api.signUp("conduit");
    const other = await signInAgain(user);
    const reply = await flock.api.request("PUT", "/api/user", {
      headers: { authorization: `Token ${user.token}` },
      body: { user: { password: "conduit's new password" } },
    });
    expect(reply.status).toBe(200);
    // The token it answers with names the same session, which lives on; the other one has ended.
    expect(sessionOf(reply.body.user.token)).toBe(sessionOf(user.token));
    expect((await flock.api.get("/v1/me", reply.body.user.token)).status).toBe(200);
    expect((await flock.api.get("/v1/me", user.token)).status).toBe(200);
    expectProblem(await flock.api.get("/v1/me", other), 401);
  });
});
