// The authorization matrices of both APIs: every route of /v1 (as /openapi.json lists it) and of /api
// (as the pinned RealWorld spec lists it) is tried signed out, with a token flock never signed, as
// another user and as the owner. A route missing from its table fails the test, so a new route cannot
// ship without saying who may use it.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { image } from "@flock/testing/images";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveFigures } from "../../scripts/figures.ts";
import { client, eventually, PASSWORD, type Reply, sessionOf } from "./client";
import { type Flock, startFlock } from "./harness";
import { type Operation, operationsOf, realWorldOperations } from "./openapi";
import { makeModerator } from "./roles";

let server: Flock;
let api: ReturnType<typeof client>;
type Person = Awaited<ReturnType<ReturnType<typeof client>["signUp"]>>;

/** A world for one route: its owner, a stranger, a moderator, and the owner's objects. */
type World = {
  owner: Person;
  stranger: Person;
  moderator: Person;
  postId: string;
  commentId: string;
  heldCommentId: string;
  requestId: string;
  /** An image the owner uploaded. */
  mediaId: string;
  /**
   * Live mailed tokens of a third person (so using one signs neither owner nor stranger out), one
   * per attempt (each is built, refused or not): each works once.
   */
  mailed: { reset: string[]; verify: string[] };
};

/**
 * Who may use each route. `public` needs no token. `self` is anyone signed in, acting on their own
 * account (another user's token reaches that user's own data, never the owner's). `signed-in` is anyone
 * signed in acting on someone else's object (the owner acting on themselves is a different case).
 * `owner` is only the owner of the object in the path. `path` fills the route's parameters from the
 * world; `body` is a valid body. `moderator` is only an account with the moderator role
 * (`npm run moderator -- grant`): every other account, the owner included, is refused with 403.
 * `ticket` is opened with a single-use ticket, not a token: without one it is a 401 whoever asks
 * (tests/system/live.test.ts tries the tickets themselves).
 */
type Access = "public" | "self" | "signed-in" | "owner" | "moderator" | "ticket";
type Who = "signed out" | "bad token" | "stranger" | "owner" | "moderator";

/**
 * Who of the four is let in, per kind of access, in the order tried: refused attempts change
 * nothing, and the owner goes last, so one world serves them all. A token that flock did not sign
 * is a 401 everywhere, public routes included: a client with a broken session should hear so.
 */
const allowed: Record<Access, Array<[who: Who, ok: boolean]>> = {
  public: [
    ["signed out", true],
    ["bad token", false],
    ["stranger", true],
    ["owner", true],
  ],
  self: [
    ["signed out", false],
    ["bad token", false],
    ["stranger", true],
    ["owner", true],
  ],
  "signed-in": [
    ["signed out", false],
    ["bad token", false],
    ["stranger", true],
  ],
  owner: [
    ["signed out", false],
    ["bad token", false],
    ["stranger", false],
    ["owner", true],
  ],
  ticket: [
    ["signed out", false],
    ["bad token", false],
    ["stranger", false],
    ["owner", false],
  ],
  moderator: [
    ["signed out", false],
    ["bad token", false],
    ["stranger", false],
    ["owner", false],
    ["moderator", true],
  ],
};

/** Well-formed, but not signed with flock's secret. */
const BAD_TOKEN =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMUpEMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCJ9.c2lnbmF0dXJlLW5vdC1mbG9ja3M";

/** The token each of the four sends, if any. */
function tokenOf(
  who: Who,
  world: { owner: Person; stranger: Person; moderator?: Person },
): string | undefined {
  return {
    "signed out": undefined,
    "bad token": BAD_TOKEN,
    stranger: world.stranger.token,
    owner: world.owner.token,
    moderator: world.moderator?.token,
  }[who];
}
const table: Record<
  string,
  {
    access: Access;
    path?: (w: World) => string;
    body?: (w: World) => unknown;
    /** A raw body with its content type, for a route that takes bytes rather than JSON. */
    raw?: () => { contentType: string; bytes: Uint8Array };
  }
> = {
  "POST /v1/auth/register": {
    access: "public",
    body: () => ({
      handle: `new_${Date.now() % 1e8}`,
      email: `n${Date.now()}@example.com`,
      password: "12345678",
    }),
  },
  "POST /v1/auth/login": {
    access: "public",
    body: (w) => ({ login: w.owner.handle, password: "correct horse battery" }),
  },
  "POST /v1/auth/logout": { access: "self" },
  // The mailed token is the credential: whoever holds it may use it, signed in or not.
  "POST /v1/auth/password-reset": {
    access: "public",
    body: (w) => ({ email: `${w.owner.handle}@example.com` }),
  },
  "POST /v1/auth/password-reset/confirm": {
    access: "public",
    body: (w) => ({ token: w.mailed.reset.shift(), password: "a new passphrase" }),
  },
  "POST /v1/auth/verify-email": {
    access: "public",
    body: (w) => ({ token: w.mailed.verify.shift() }),
  },
  "POST /v1/auth/verify-email/resend": { access: "self" },
  "GET /v1/me": { access: "self" },
  "PATCH /v1/me": { access: "self", body: () => ({ bio: "changed" }) },
  "DELETE /v1/me": { access: "self", body: () => ({ password: PASSWORD }) },
  "GET /v1/me/sessions": { access: "self" },
  "DELETE /v1/me/sessions": { access: "self" },
  "DELETE /v1/me/sessions/{id}": {
    access: "owner",
    path: (w) => `/v1/me/sessions/${sessionOf(w.owner.token)}`,
  },
  "GET /v1/me/friend-requests": { access: "self" },
  "POST /v1/me/friend-requests/{id}/accept": {
    access: "owner",
    path: (w) => `/v1/me/friend-requests/${w.requestId}/accept`,
  },
  "POST /v1/me/friend-requests/{id}/decline": {
    access: "owner",
    path: (w) => `/v1/me/friend-requests/${w.requestId}/decline`,
  },
  "DELETE /v1/me/friend-requests/{id}": {
    access: "owner",
    path: (w) => `/v1/me/friend-requests/${w.requestId}`,
  },
  "GET /v1/users/{handle}": { access: "public", path: (w) => `/v1/users/${w.owner.handle}` },
  "PUT /v1/users/{handle}/follow": {
    access: "signed-in",
    path: (w) => `/v1/users/${w.owner.handle}/follow`,
  },
  "DELETE /v1/users/{handle}/follow": {
    access: "signed-in",
    path: (w) => `/v1/users/${w.owner.handle}/follow`,
  },
  "GET /v1/users/{handle}/followers": {
    access: "public",
    path: (w) => `/v1/users/${w.owner.handle}/followers`,
  },
  "GET /v1/users/{handle}/following": {
    access: "public",
    path: (w) => `/v1/users/${w.owner.handle}/following`,
  },
  "GET /v1/users/{handle}/friends": {
    access: "public",
    path: (w) => `/v1/users/${w.owner.handle}/friends`,
  },
  "GET /v1/users/{handle}/posts": {
    access: "public",
    path: (w) => `/v1/users/${w.owner.handle}/posts`,
  },
  "POST /v1/users/{handle}/friend-request": {
    access: "signed-in",
    path: (w) => `/v1/users/${w.owner.handle}/friend-request`,
  },
  "DELETE /v1/users/{handle}/friend": {
    access: "signed-in",
    path: (w) => `/v1/users/${w.owner.handle}/friend`,
  },
  "PUT /v1/users/{handle}/block": {
    access: "signed-in",
    path: (w) => `/v1/users/${w.owner.handle}/block`,
  },
  "DELETE /v1/users/{handle}/block": {
    access: "signed-in",
    path: (w) => `/v1/users/${w.owner.handle}/block`,
  },
  "PUT /v1/users/{handle}/mute": {
    access: "signed-in",
    path: (w) => `/v1/users/${w.owner.handle}/mute`,
  },
  "DELETE /v1/users/{handle}/mute": {
    access: "signed-in",
    path: (w) => `/v1/users/${w.owner.handle}/mute`,
  },
  "GET /v1/me/blocks": { access: "self" },
  "GET /v1/me/mutes": { access: "self" },
  "POST /v1/posts": { access: "signed-in", body: () => ({ body: "hello" }) },
  "GET /v1/posts": { access: "public" },
  "GET /v1/posts/{id}": { access: "public", path: (w) => `/v1/posts/${w.postId}` },
  "PATCH /v1/posts/{id}": {
    access: "owner",
    path: (w) => `/v1/posts/${w.postId}`,
    body: () => ({ body: "edited" }),
  },
  "DELETE /v1/posts/{id}": { access: "owner", path: (w) => `/v1/posts/${w.postId}` },
  "PUT /v1/posts/{id}/like": { access: "signed-in", path: (w) => `/v1/posts/${w.postId}/like` },
  "DELETE /v1/posts/{id}/like": { access: "signed-in", path: (w) => `/v1/posts/${w.postId}/like` },
  "POST /v1/posts/{id}/shares": {
    access: "signed-in",
    path: (w) => `/v1/posts/${w.postId}/shares`,
    body: () => ({}),
  },
  "POST /v1/posts/{id}/comments": {
    access: "signed-in",
    path: (w) => `/v1/posts/${w.postId}/comments`,
    body: () => ({ body: "hi" }),
  },
  "GET /v1/posts/{id}/comments": {
    access: "public",
    path: (w) => `/v1/posts/${w.postId}/comments`,
  },
  "PATCH /v1/comments/{id}": {
    access: "owner",
    path: (w) => `/v1/comments/${w.commentId}`,
    body: () => ({ body: "edited" }),
  },
  "DELETE /v1/comments/{id}": { access: "owner", path: (w) => `/v1/comments/${w.commentId}` },
  "POST /v1/comments/{id}/report": {
    access: "signed-in",
    path: (w) => `/v1/comments/${w.commentId}/report`,
    body: () => ({ reason: "spam" }),
  },
  "POST /v1/comments/{id}/approve": {
    access: "owner",
    path: (w) => `/v1/comments/${w.heldCommentId}/approve`,
  },
  "GET /v1/feed": { access: "self" },
  "GET /v1/notifications": { access: "self" },
  "POST /v1/notifications/read": { access: "self", body: () => ({}) },
  "GET /v1/health": { access: "public" },
  "POST /v1/live/ticket": { access: "self" },
  "GET /v1/live": { access: "ticket" },
  "POST /v1/media": {
    access: "self",
    raw: () => ({ contentType: "image/png", bytes: image("png") }),
  },
  "GET /media/{id}": { access: "public", path: (w) => `/media/${w.mediaId}` },
  "GET /v1/search": { access: "public", path: () => "/v1/search?q=authz" },
  "POST /v1/posts/{id}/report": {
    access: "signed-in",
    path: (w) => `/v1/posts/${w.postId}/report`,
    body: () => ({ reason: "spam" }),
  },
  "GET /v1/moderation/reports": { access: "moderator" },
  "POST /v1/moderation/reports/{id}/resolve": {
    access: "moderator",
    path: (w) => `/v1/moderation/reports/post_${w.postId}/resolve`,
    body: () => ({ action: "dismiss" }),
  },
  "GET /v1/moderation/accounts/{handle}": {
    access: "moderator",
    path: (w) => `/v1/moderation/accounts/${w.owner.handle}`,
  },
  "POST /v1/moderation/accounts/{handle}/suspend": {
    access: "moderator",
    path: (w) => `/v1/moderation/accounts/${w.owner.handle}/suspend`,
    body: () => ({ reason: "authz" }),
  },
  "POST /v1/moderation/accounts/{handle}/unsuspend": {
    access: "moderator",
    path: (w) => `/v1/moderation/accounts/${w.owner.handle}/unsuspend`,
    body: () => ({}),
  },
  "GET /v1/moderation/audit": { access: "moderator" },
  "GET /v1/operations/figures": { access: "moderator" },
};

let operations: Operation[] = [];
let routes: string[] = [];
let moderator: Person;
let figures: Awaited<ReturnType<typeof serveFigures>>;

beforeAll(async () => {
  // The figures' local source, as npm start serves it, so their route answers whom it lets in.
  const log = path.join(mkdtempSync(path.join(tmpdir(), "flock-authz-")), "flock.log");
  writeFileSync(log, "");
  figures = await serveFigures(log);
  server = await startFlock({ LOCAL_FIGURES_URL: figures.url });
  api = client(server);
  moderator = await makeModerator(server, await api.signUp("moderator"));
  operations = operationsOf((await api.get("/openapi.json")).body);
  routes = operations.map(({ method, path }) => `${method} ${path}`);
});
afterAll(async () => {
  await server?.close();
  await figures?.close();
});

/**
 * The owner owns the account, a post and a friend request addressed to them. The comment on the
 * owner's post is the stranger's... so for comment routes the owner is the comment's author: `mine`.
 */
async function makeWorld(): Promise<World> {
  const owner = await api.signUp("owner");
  const stranger = await api.signUp("stranger");
  const sender = await api.signUp("sender");
  const postId = (await api.post("/v1/posts", { body: "owned" }, owner.token)).body.id;
  const commentId = (
    await api.post(`/v1/posts/${postId}/comments`, { body: "my own comment" }, owner.token)
  ).body.id;
  const heldCommentId = (
    await api.post(
      `/v1/posts/${postId}/comments`,
      { body: "spam http://a.example http://b.example http://c.example" },
      sender.token,
    )
  ).body.id;
  const requestId = (
    await api.post(`/v1/users/${owner.handle}/friend-request`, undefined, sender.token)
  ).body.id;
  const mailed = await mintMailedTokens(sender, 4);
  const mediaId = (
    await api.request("POST", "/v1/media", {
      token: owner.token,
      headers: { "content-type": "image/png" },
      raw: image("png"),
    })
  ).body.id;
  return {
    owner,
    stranger,
    moderator,
    postId,
    commentId,
    heldCommentId,
    requestId,
    mediaId,
    mailed,
  };
}

/**
 * Live reset and verification tokens of a person, as the users service would store them after
 * mailing them (this suite's workers note no mail; tests/system/recovery.test.ts follows real ones).
 */
async function mintMailedTokens(person: Person, count: number) {
  type Users = {
    prepare(query: string): { bind(...values: string[]): D1Statement };
    batch(statements: D1Statement[]): Promise<unknown>;
  };
  type D1Statement = { run(): Promise<unknown> };
  const { DB } = (await server.getWorker("flock-users").getEnv()) as { DB: Users };
  const now = new Date();
  const expires = new Date(now.getTime() + 60 * 60 * 1000).toISOString();
  const mailed = { reset: [] as string[], verify: [] as string[] };
  const rows: D1Statement[] = [];
  for (const purpose of ["reset", "verify"] as const)
    for (let i = 0; i < count; i++) {
      const token = randomBytes(32).toString("hex");
      mailed[purpose].push(token);
      rows.push(
        DB.prepare(
          "INSERT INTO email_tokens (id, user_id, purpose, token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ).bind(
          `${purpose}-${token.slice(0, 20)}`,
          person.id,
          purpose,
          createHash("sha256").update(token).digest("hex"),
          `${person.handle}@example.com`,
          now.toISOString(),
          expires,
        ),
      );
    }
  await DB.batch(rows);
  return mailed;
}

async function attempt(route: string, world: World, token: string | undefined): Promise<Reply> {
  const [method = "GET", template = ""] = route.split(" ");
  const entry = table[route];
  const path = entry?.path ? entry.path(world) : template;
  const raw = entry?.raw?.();
  if (raw)
    return api.request(method, path, {
      token,
      headers: { "content-type": raw.contentType },
      raw: raw.bytes,
    });
  return api.request(method, path, { token, body: entry?.body?.(world) });
}

describe("the authorization matrix", () => {
  it("has an entry for every route", () => {
    expect(routes.filter((route) => !table[route])).toEqual([]);
  });

  it("agrees with the document on which routes need a token", () => {
    const documented = operations
      .filter((operation) => operation.needsToken)
      .map(({ method, path }) => `${method} ${path}`);
    const needing = routes.filter(
      (route) => !["public", "ticket"].includes(table[route]?.access ?? "public"),
    );
    expect(documented).toEqual(needing);
  });

  it("lets each route be used by exactly those it should", async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const entry = table[route];
      if (!entry) continue;
      const world = await makeWorld();
      for (const [who, ok] of allowed[entry.access]) {
        // A friend request is cancelled by its sender: that route is covered by its own test below.
        if (route === "DELETE /v1/me/friend-requests/{id}" && who === "owner") continue;
        const reply = await attempt(route, world, tokenOf(who, world));
        const refusedAsExpected =
          who === "signed out" || who === "bad token" || entry.access === "ticket"
            ? reply.status === 401
            : [403, 404].includes(reply.status);
        if (ok !== reply.status < 400 || (!ok && !refusedAsExpected))
          failures.push(`${route} as ${who}: ${reply.status}`);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it("lets only the uploader attach an upload, to a post or as an avatar", async () => {
    const world = await makeWorld();
    const attach = (token: string | undefined) =>
      api.post("/v1/posts", { body: "x", media: [{ id: world.mediaId, alt: "" }] }, token);
    const avatar = (token: string | undefined) =>
      api.patch("/v1/me", { avatarMediaId: world.mediaId }, token);
    expect((await attach(undefined)).status).toBe(401);
    expect((await attach(BAD_TOKEN)).status).toBe(401);
    expect((await attach(world.stranger.token)).status).toBe(403);
    expect((await avatar(world.stranger.token)).status).toBe(403);
    expect((await api.get(`/v1/users/${world.stranger.handle}`)).body.avatarUrl).toBeNull();
    expect((await attach(world.owner.token)).status).toBe(201);
  });

  it("lets only the author delete a post, and its images go with it", async () => {
    const world = await makeWorld();
    const post = (
      await api.post(
        "/v1/posts",
        { body: "pictured", media: [{ id: world.mediaId, alt: "" }] },
        world.owner.token,
      )
    ).body;
    expect([403, 404]).toContain(
      (await api.del(`/v1/posts/${post.id}`, world.stranger.token)).status,
    );
    expect((await api.get(`/media/${world.mediaId}`)).status).toBe(200);
    expect((await api.del(`/v1/posts/${post.id}`, world.owner.token)).status).toBe(204);
    await eventually(async () =>
      expect((await api.get(`/media/${world.mediaId}`)).status).toBe(404),
    );
  });

  it("lets only the sender cancel a friend request", async () => {
    const owner = await api.signUp("owner");
    const sender = await api.signUp("sender");
    const stranger = await api.signUp("stranger");
    const request = (
      await api.post(`/v1/users/${owner.handle}/friend-request`, undefined, sender.token)
    ).body;
    expect((await api.del(`/v1/me/friend-requests/${request.id}`)).status).toBe(401);
    expect((await api.del(`/v1/me/friend-requests/${request.id}`, stranger.token)).status).toBe(
      404,
    );
    expect((await api.del(`/v1/me/friend-requests/${request.id}`, owner.token)).status).toBe(403);
    expect((await api.del(`/v1/me/friend-requests/${request.id}`, sender.token)).status).toBe(204);
  });

  it("never shows one user's private data to another", async () => {
    const world = await makeWorld();
    await eventually(async () =>
      expect(
        (await api.get("/v1/notifications", world.owner.token)).body.items.length,
      ).toBeGreaterThan(0),
    );
    const seenByStranger = [
      await api.get(`/v1/users/${world.owner.handle}`, world.stranger.token),
      await api.get(`/v1/users/${world.owner.handle}/followers`, world.stranger.token),
      await api.get(`/v1/posts/${world.postId}?include=comments`, world.stranger.token),
      await api.get(`/v1/posts/${world.postId}/comments`, world.stranger.token),
      await api.get("/v1/notifications", world.stranger.token),
      await api.get("/v1/me/friend-requests?direction=incoming", world.stranger.token),
      await api.get("/v1/feed", world.stranger.token),
    ];
    const text = JSON.stringify(seenByStranger.map((reply) => reply.body));
    expect(text).not.toContain(`${world.owner.handle}@example.com`);
    expect(text).not.toContain(world.heldCommentId);
    expect(text).not.toContain(world.requestId);
    expect(seenByStranger[4]?.body.items).toEqual([]);
  });
});

/** A world for one /api route: the owner's article and the owner's comment on it. */
type ArticleWorld = { owner: Person; stranger: Person; slug: string; comment: number };

/**
 * Who may use each RealWorld route, with the spec's vocabulary: `owner` routes answer a stranger
 * 403 naming `resource` (`{errors: {article: ["forbidden"]}}`), as errors_authorization.hurl does.
 */
const realWorldTable: Record<
  string,
  {
    access: Access;
    resource?: "article" | "comment";
    path?: (w: ArticleWorld) => string;
    body?: (w: ArticleWorld) => unknown;
  }
> = {
  "POST /api/users/login": {
    access: "public",
    body: (w) => ({
      user: { email: `${w.owner.handle}@example.com`, password: "correct horse battery" },
    }),
  },
  "POST /api/users": {
    access: "public",
    body: () => {
      const name = `rw_${Date.now() % 1e8}_${Math.floor(Math.random() * 1e4)}`;
      return { user: { username: name, email: `${name}@example.com`, password: "12345678" } };
    },
  },
  "GET /api/user": { access: "self" },
  "PUT /api/user": { access: "self", body: () => ({ user: { bio: "changed" } }) },
  "GET /api/profiles/{username}": {
    access: "public",
    path: (w) => `/api/profiles/${w.owner.handle}`,
  },
  "POST /api/profiles/{username}/follow": {
    access: "signed-in",
    path: (w) => `/api/profiles/${w.owner.handle}/follow`,
  },
  "DELETE /api/profiles/{username}/follow": {
    access: "signed-in",
    path: (w) => `/api/profiles/${w.owner.handle}/follow`,
  },
  "GET /api/articles/feed": { access: "self" },
  "GET /api/articles": { access: "public" },
  "POST /api/articles": {
    access: "signed-in",
    body: () => ({ article: { title: "New", description: "d", body: "b" } }),
  },
  "GET /api/articles/{slug}": { access: "public", path: (w) => `/api/articles/${w.slug}` },
  "PUT /api/articles/{slug}": {
    access: "owner",
    resource: "article",
    path: (w) => `/api/articles/${w.slug}`,
    body: () => ({ article: { body: "hijacked" } }),
  },
  "DELETE /api/articles/{slug}": {
    access: "owner",
    resource: "article",
    path: (w) => `/api/articles/${w.slug}`,
  },
  "GET /api/articles/{slug}/comments": {
    access: "public",
    path: (w) => `/api/articles/${w.slug}/comments`,
  },
  "POST /api/articles/{slug}/comments": {
    access: "signed-in",
    path: (w) => `/api/articles/${w.slug}/comments`,
    body: () => ({ comment: { body: "hi" } }),
  },
  "DELETE /api/articles/{slug}/comments/{id}": {
    access: "owner",
    resource: "comment",
    path: (w) => `/api/articles/${w.slug}/comments/${w.comment}`,
  },
  "POST /api/articles/{slug}/favorite": {
    access: "signed-in",
    path: (w) => `/api/articles/${w.slug}/favorite`,
  },
  "DELETE /api/articles/{slug}/favorite": {
    access: "signed-in",
    path: (w) => `/api/articles/${w.slug}/favorite`,
  },
  "GET /api/tags": { access: "public" },
};

/** RealWorld's token scheme, as its clients send it. */
const asToken = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Token ${token}` } : {};

async function makeArticleWorld(): Promise<ArticleWorld> {
  const owner = await api.signUp("author");
  const stranger = await api.signUp("intruder");
  const slug = (
    await api.request("POST", "/api/articles", {
      headers: asToken(owner.token),
      body: { article: { title: "Owned", description: "mine", body: "original" } },
    })
  ).body.article.slug;
  const comment = (
    await api.request("POST", `/api/articles/${slug}/comments`, {
      headers: asToken(owner.token),
      body: { comment: { body: "my own comment" } },
    })
  ).body.comment.id;
  return { owner, stranger, slug, comment };
}

describe("the authorization matrix of the RealWorld API", () => {
  const operations = realWorldOperations();
  const routes = operations.map(({ method, path }) => `${method} ${path}`);

  it("has an entry for every route of the spec", () => {
    expect(routes.filter((route) => !realWorldTable[route])).toEqual([]);
    expect(routes).toHaveLength(Object.keys(realWorldTable).length);
  });

  it("agrees with the spec on which routes need a token", () => {
    const documented = operations
      .filter((operation) => operation.needsToken)
      .map(({ method, path }) => `${method} ${path}`);
    expect(documented).toEqual(
      routes.filter((route) => realWorldTable[route]?.access !== "public"),
    );
  });

  it("refuses a missing token and a bad one with 401, another user's object with 403", async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const entry = realWorldTable[route];
      if (!entry) continue;
      const [method = "GET", template = ""] = route.split(" ");
      const world = await makeArticleWorld();
      for (const [who, ok] of allowed[entry.access]) {
        const reply = await api.request(method, entry.path?.(world) ?? template, {
          headers: asToken(tokenOf(who, world)),
          body: entry.body?.(world),
        });
        // The spec's envelope and messages: `token` for 401, the resource for 403.
        const expected =
          who === "signed out"
            ? { status: 401, errors: { token: ["is missing"] } }
            : who === "bad token"
              ? { status: 401, errors: { token: ["is invalid"] } }
              : { status: 403, errors: { [entry.resource ?? "resource"]: ["forbidden"] } };
        const refusedAsExpected =
          reply.status === expected.status &&
          JSON.stringify(reply.body) === JSON.stringify({ errors: expected.errors });
        if (ok ? reply.status >= 400 : !refusedAsExpected)
          failures.push(`${route} as ${who}: ${reply.status} ${JSON.stringify(reply.body)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it("does not let one user edit or delete another's article or comment", async () => {
    const world = await makeArticleWorld();
    const intruder = asToken(world.stranger.token);
    const article = `/api/articles/${world.slug}`;
    const before = (await api.request("GET", article)).body;

    const edit = await api.request("PUT", article, {
      headers: intruder,
      body: { article: { title: "Hijacked", body: "hijacked" } },
    });
    const remove = await api.request("DELETE", article, { headers: intruder });
    const uncomment = await api.request("DELETE", `${article}/comments/${world.comment}`, {
      headers: intruder,
    });
    expect([edit.status, remove.status, uncomment.status]).toEqual([403, 403, 403]);

    expect((await api.request("GET", article)).body).toEqual(before);
    const comments = (await api.request("GET", `${article}/comments`)).body.comments;
    expect(comments.map((comment: { id: number }) => comment.id)).toEqual([world.comment]);

    // The owner still may: the refusals were about who asked, not about the objects.
    const owner = asToken(world.owner.token);
    expect(
      (await api.request("DELETE", `${article}/comments/${world.comment}`, { headers: owner }))
        .status,
    ).toBe(204);
    expect((await api.request("DELETE", article, { headers: owner })).status).toBe(204);
  });
});
