// The authorization matrix: every route of the OpenAPI document that writes or names an object is
// tried signed out, as another user and as the owner. A route missing from the table fails the test,
// so a new route cannot ship without saying who may use it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, eventually, type Reply } from "./client";
import { type Flock, startFlock } from "./harness";

let server: Flock;
let api: ReturnType<typeof client>;
type Person = Awaited<ReturnType<ReturnType<typeof client>["signUp"]>>;

/** A world for one route: its owner, a stranger, and the owner's objects. */
type World = {
  owner: Person;
  stranger: Person;
  postId: string;
  commentId: string;
  heldCommentId: string;
  requestId: string;
};

/**
 * Who may use each route. `public` needs no token. `self` is anyone signed in, acting on their own
 * account (another user's token reaches that user's own data, never the owner's). `signed-in` is anyone
 * signed in acting on someone else's object (the owner acting on themselves is a different case).
 * `owner` is only the owner of the object in the path. `path` fills the route's parameters from the
 * world; `body` is a valid body.
 */
type Access = "public" | "self" | "signed-in" | "owner";
const table: Record<
  string,
  { access: Access; path?: (w: World) => string; body?: (w: World) => unknown }
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
  "GET /v1/me": { access: "self" },
  "PATCH /v1/me": { access: "self", body: () => ({ bio: "changed" }) },
  "DELETE /v1/me": { access: "self" },
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
};

let routes: string[] = [];

beforeAll(async () => {
  server = await startFlock();
  api = client(server);
  const doc = (await api.get("/openapi.json")).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
});
afterAll(async () => {
  await server?.close();
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
  return { owner, stranger, postId, commentId, heldCommentId, requestId };
}

async function attempt(route: string, world: World, token: string | undefined): Promise<Reply> {
  const [method = "GET", template = ""] = route.split(" ");
  const entry = table[route];
  const path = entry?.path ? entry.path(world) : template;
  return api.request(method, path, { token, body: entry?.body?.(world) });
}

describe("the authorization matrix", () => {
  it("has an entry for every route", () => {
    expect(routes.filter((route) => !table[route])).toEqual([]);
  });

  it("lets each route be used by exactly those it should", async () => {
    const failures: string[] = [];
    const allowed: Record<
      Access,
      Array<[who: "signed out" | "stranger" | "owner", ok: boolean]>
    > = {
      public: [
        ["signed out", true],
        ["stranger", true],
        ["owner", true],
      ],
      self: [
        ["signed out", false],
        ["stranger", true],
        ["owner", true],
      ],
      "signed-in": [
        ["signed out", false],
        ["stranger", true],
      ],
      owner: [
        ["signed out", false],
        ["stranger", false],
        ["owner", true],
      ],
    };
    for (const route of routes) {
      const entry = table[route];
      if (!entry) continue;
      // Refused attempts change nothing, and the owner goes last: one world serves the three.
      const world = await makeWorld();
      for (const [who, ok] of allowed[entry.access]) {
        // A friend request is cancelled by its sender: that route is covered by its own test below.
        if (route === "DELETE /v1/me/friend-requests/{id}" && who === "owner") continue;
        const token =
          who === "signed out"
            ? undefined
            : who === "stranger"
              ? world.stranger.token
              : world.owner.token;
        const reply = await attempt(route, world, token);
        const refusedAsExpected =
          who === "signed out" ? reply.status === 401 : [403, 404].includes(reply.status);
        if (ok !== reply.status < 400 || (!ok && !refusedAsExpected))
          failures.push(`${route} as ${who}: ${reply.status}`);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

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
