import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { type Reply, sessionOf } from "./client";
import { TEST_JWT_SECRET, useFlock } from "./harness";

const flock = useFlock();

function expectProblem(reply: Reply, status: number) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toContain("application/problem+json");
  expect(reply.body).toMatchObject({
    status,
    title: expect.any(String),
    requestId: expect.any(String),
  });
}

describe("sign-up and sign-in through the gateway", () => {
  it("registers, then logs in by handle and by email", async () => {
    const reply = await flock.api.post("/v1/auth/register", {
      handle: "Walker",
      email: "walker@example.com",
      password: "correct horse battery",
      displayName: "W. Walker",
    });
    expect(reply.status).toBe(201);
    expect(reply.body.user).toMatchObject({
      handle: "walker",
      email: "walker@example.com",
      displayName: "W. Walker",
    });
    expect(reply.body.user).not.toHaveProperty("passwordHash");
    expect(reply.body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    for (const login of ["walker", "WALKER@example.com"]) {
      const signedIn = await flock.api.post("/v1/auth/login", {
        login,
        password: "correct horse battery",
      });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user.id).toBe(reply.body.user.id);
    }
  });

  it("answers a taken handle or email with 409", async () => {
    const { handle } = await flock.api.signUp("taken");
    expectProblem(
      await flock.api.post("/v1/auth/register", {
        handle: handle.toUpperCase(),
        email: "new@example.com",
        password: "12345678",
      }),
      409,
    );
    expectProblem(
      await flock.api.post("/v1/auth/register", {
        handle: "fresh_handle",
        email: `${handle}@example.com`,
        password: "12345678",
      }),
      409,
    );
  });

  it("answers invalid fields with 422 and one entry per field", async () => {
    const reply = await flock.api.post("/v1/auth/register", {
      handle: "x",
      email: "not-an-email",
      password: "short",
    });
    expectProblem(reply, 422);
    expect(reply.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      "email",
      "handle",
      "password",
    ]);
  });

  it("answers a wrong password and an unknown user with the same 401", async () => {
    const { handle } = await flock.api.signUp("pw");
    const wrong = await flock.api.post("/v1/auth/login", {
      login: handle,
      password: "wrong password",
    });
    const unknown = await flock.api.post("/v1/auth/login", {
      login: "nobody_here",
      password: "wrong password",
    });
    expectProblem(wrong, 401);
    expectProblem(unknown, 401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it("refuses a forged, an expired and a malformed token with 401", async () => {
    const { id, handle, token: real } = await flock.api.signUp("tok");
    // Each names the live session of a real account: only the signature or the expiry is wrong.
    const sid = sessionOf(real);
    const now = Math.floor(Date.now() / 1000);
    const forged = await sign({ sub: id, handle, sid, exp: now + 60 }, "not-the-secret", "HS256");
    const expired = await sign(
      { sub: id, handle, sid, iat: now - 120, exp: now - 60 },
      TEST_JWT_SECRET,
      "HS256",
    );
    for (const token of [forged, expired, "garbage"])
      expectProblem(await flock.api.get("/v1/me", token), 401);
    expectProblem(await flock.api.get("/v1/me"), 401);
  });
});

describe("your own account", () => {
  it("reads, updates and deletes it", async () => {
    const { token, handle } = await flock.api.signUp("self");
    const me = await flock.api.get("/v1/me", token);
    expect(me.status).toBe(200);
    expect(me.body.handle).toBe(handle);

    // An avatar is no longer any URL on /v1 (tests/system/media.test.ts sets one from an upload).
    const external = await flock.api.patch(
      "/v1/me",
      { avatarUrl: "https://example.com/a.png" },
      token,
    );
    expectProblem(external, 422);
    const updated = await flock.api.patch(
      "/v1/me",
      { displayName: "Selfie", bio: "about me", avatarMediaId: null },
      token,
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ displayName: "Selfie", bio: "about me", avatarUrl: null });

    expect((await flock.api.deleteAccount(token)).status).toBe(204);
    // Its sessions ended with it: the token is refused.
    expectProblem(await flock.api.get("/v1/me", token), 401);
    expectProblem(await flock.api.get(`/v1/users/${handle}`), 404);
  });

  it("refuses a deleted account's unexpired token with 401s, never a 500", async () => {
    const leaving = await flock.api.signUp("gone");
    const star = await flock.api.signUp("star");
    expect((await flock.api.deleteAccount(leaving.token)).status).toBe(204);
    expectProblem(await flock.api.put(`/v1/users/${star.handle}/follow`, leaving.token), 401);
    expectProblem(
      await flock.api.post(`/v1/users/${star.handle}/friend-request`, undefined, leaving.token),
      401,
    );
  });

  it("ignores unknown fields, so a client cannot set server-owned data", async () => {
    const { token, id } = await flock.api.signUp("sneaky");
    const reply = await flock.api.patch(
      "/v1/me",
      { displayName: "Ok", id: "01HZZZZZZZZZZZZZZZZZZZZZZZ", followerCount: 1000, handle: "admin" },
      token,
    );
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(id);
    expect(reply.body.handle).not.toBe("admin");
    const profile = await flock.api.get(`/v1/users/${reply.body.handle}`);
    expect(profile.body.followerCount).toBe(0);
  });
});

describe("profiles and follows", () => {
  it("answers an unknown profile with 404", async () => {
    expectProblem(await flock.api.get("/v1/users/no_such_person"), 404);
  });

  it("follows idempotently, with counts and the viewer's relation", async () => {
    const fan = await flock.api.signUp("fan");
    const star = await flock.api.signUp("star");
    for (let i = 0; i < 2; i++) {
      const reply = await flock.api.put(`/v1/users/${star.handle}/follow`, fan.token);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        followerCount: 1,
        viewer: { following: true, followedBy: false, friendship: "none" },
      });
    }
    const seenByStar = await flock.api.get(`/v1/users/${fan.handle}`, star.token);
    expect(seenByStar.body).toMatchObject({
      followingCount: 1,
      viewer: { following: false, followedBy: true },
    });
    const signedOut = await flock.api.get(`/v1/users/${star.handle}`);
    expect(signedOut.body).not.toHaveProperty("viewer");

    const followers = await flock.api.get(`/v1/users/${star.handle}/followers`);
    expect(followers.body).toEqual({
      items: [expect.objectContaining({ handle: fan.handle })],
      nextCursor: null,
    });

    const unfollowed = await flock.api.del(`/v1/users/${star.handle}/follow`, fan.token);
    expect(unfollowed.body).toMatchObject({ followerCount: 0, viewer: { following: false } });
  });

  it("refuses to let you follow yourself", async () => {
    const me = await flock.api.signUp("narcissus");
    expectProblem(await flock.api.put(`/v1/users/${me.handle}/follow`, me.token), 422);
  });

  it("refuses a signed-out follow with 401", async () => {
    const star = await flock.api.signUp("star");
    expectProblem(await flock.api.put(`/v1/users/${star.handle}/follow`), 401);
  });

  it("pages with a cursor and rejects a limit out of range", async () => {
    const star = await flock.api.signUp("star");
    const fans = [];
    for (let i = 0; i < 3; i++) {
      const fan = await flock.api.signUp("fan");
      await flock.api.put(`/v1/users/${star.handle}/follow`, fan.token);
      fans.push(fan.handle);
    }
    const first = await flock.api.get(`/v1/users/${star.handle}/followers?limit=2`);
    expect(first.body.items).toHaveLength(2);
    const second = await flock.api.get(
      `/v1/users/${star.handle}/followers?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.nextCursor).toBeNull();
    const seen = [...first.body.items, ...second.body.items].map(
      (item: { handle: string }) => item.handle,
    );
    expect(seen).toEqual([...fans].reverse());
    expectProblem(await flock.api.get(`/v1/users/${star.handle}/followers?limit=0`), 422);
    expectProblem(await flock.api.get(`/v1/users/${star.handle}/followers?limit=101`), 422);
  });
});

describe("friend requests", () => {
  it("accepts: both see friends and each other in their lists", async () => {
    const ann = await flock.api.signUp("ann");
    const ben = await flock.api.signUp("ben");
    const sent = await flock.api.post(
      `/v1/users/${ben.handle}/friend-request`,
      undefined,
      ann.token,
    );
    expect(sent.status).toBe(201);
    expect((await flock.api.get(`/v1/users/${ben.handle}`, ann.token)).body.viewer.friendship).toBe(
      "outgoing",
    );
    expect((await flock.api.get(`/v1/users/${ann.handle}`, ben.token)).body.viewer.friendship).toBe(
      "incoming",
    );

    const incoming = await flock.api.get("/v1/me/friend-requests?direction=incoming", ben.token);
    expect(incoming.body.items.map((request: { id: string }) => request.id)).toEqual([
      sent.body.id,
    ]);
    const outgoing = await flock.api.get("/v1/me/friend-requests?direction=outgoing", ann.token);
    expect(outgoing.body.items).toHaveLength(1);

    expectProblem(
      await flock.api.post(`/v1/me/friend-requests/${sent.body.id}/accept`, undefined, ann.token),
      403,
    );
    const accepted = await flock.api.post(
      `/v1/me/friend-requests/${sent.body.id}/accept`,
      undefined,
      ben.token,
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe("accepted");
    expect((await flock.api.get(`/v1/users/${ben.handle}`, ann.token)).body.viewer.friendship).toBe(
      "friends",
    );
    const friends = await flock.api.get(`/v1/users/${ann.handle}/friends`);
    expect(friends.body.items.map((friend: { handle: string }) => friend.handle)).toEqual([
      ben.handle,
    ]);

    const unfriended = await flock.api.del(`/v1/users/${ann.handle}/friend`, ben.token);
    expect(unfriended.body.viewer.friendship).toBe("none");
  });

  it("declines and cancels", async () => {
    const ann = await flock.api.signUp("ann");
    const ben = await flock.api.signUp("ben");
    const first = await flock.api.post(
      `/v1/users/${ben.handle}/friend-request`,
      undefined,
      ann.token,
    );
    const declined = await flock.api.post(
      `/v1/me/friend-requests/${first.body.id}/decline`,
      undefined,
      ben.token,
    );
    expect(declined.body.status).toBe("declined");
    // The same request again is refused for a week (tests/system/limits.test.ts); the other way is not.
    expectProblem(
      await flock.api.post(`/v1/users/${ben.handle}/friend-request`, undefined, ann.token),
      409,
    );
    const second = await flock.api.post(
      `/v1/users/${ann.handle}/friend-request`,
      undefined,
      ben.token,
    );
    expectProblem(await flock.api.del(`/v1/me/friend-requests/${second.body.id}`, ann.token), 403);
    expect(
      (await flock.api.del(`/v1/me/friend-requests/${second.body.id}`, ben.token)).status,
    ).toBe(204);
    expect((await flock.api.get(`/v1/users/${ben.handle}`, ann.token)).body.viewer.friendship).toBe(
      "none",
    );
  });
});

describe("the gateway itself", () => {
  it("echoes a client's x-request-id and makes one otherwise", async () => {
    const given = await flock.api.request("GET", "/v1/users/nobody_x", {
      headers: { "x-request-id": "trace-123" },
    });
    expect(given.headers.get("x-request-id")).toBe("trace-123");
    expect(given.body.requestId).toBe("trace-123");
    const made = await flock.api.get("/v1/users/nobody_x");
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers malformed JSON with 400 and a huge body with 413", async () => {
    expectProblem(
      await flock.api.request("POST", "/v1/auth/register", {
        raw: "{not json",
        headers: { "content-type": "application/json" },
      }),
      400,
    );
    const huge = JSON.stringify({
      handle: "big_body",
      email: "b@example.com",
      password: "x".repeat(100 * 1024),
    });
    expectProblem(
      await flock.api.request("POST", "/v1/auth/register", {
        raw: huge,
        headers: { "content-type": "application/json" },
      }),
      413,
    );
  });

  it("answers wrong types and odd unicode with 4xx, never 5xx", async () => {
    const bodies = [
      [],
      "string",
      null,
      { handle: 42, email: {}, password: [] },
      { handle: "\u0000\u202e\ud800", email: "a@b.c", password: "12345678" },
      { handle: "emoji_😀", email: "😀@example.com", password: "😀😀😀😀😀😀😀😀" },
      { handle: "a".repeat(10000), email: "x@example.com", password: "12345678" },
    ];
    for (const body of bodies) {
      const reply = await flock.api.post("/v1/auth/register", body);
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      expect(reply.headers.get("content-type")).toContain("application/problem+json");
    }
  });

  it("answers an unknown route with a 404 problem and CORS preflight with 204", async () => {
    expectProblem(await flock.api.get("/v1/nothing-here"), 404);
    const preflight = await flock.api.request("OPTIONS", "/v1/me", {
      headers: { origin: "https://app.example.com", "access-control-request-method": "PATCH" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("reports each service's health", async () => {
    const reply = await flock.api.get("/v1/health");
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      status: "ok",
      services: ["users", "posts", "comments", "notifications", "media", "search", "live"].map(
        (service) => ({ service, status: "ok" }),
      ),
    });
  });

  it("serves an OpenAPI 3.1 document covering every route, and the docs page", async () => {
    const doc = await flock.api.get("/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        "/v1/auth/register",
        "/v1/me",
        "/v1/users/{handle}/follow",
        "/v1/me/friend-requests/{id}/accept",
        "/v1/health",
      ]),
    );
    const docs = await flock.server.fetch("http://localhost/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/openapi.json");
  });
});
