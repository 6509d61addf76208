// Global reads (decision 0015) through the gateway, with every service reading through a lagging
// replica (packages/testing/src/replica.ts): a copy of each database that stays a thousand writes
// behind, so a read without a bookmark sees none of this file's writes, and one with the client's
// Flock-Bookmark is served by the primary. Read-your-writes holds with the header, and the same read
// without it misses: the replica does lag, so these tests can fail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestFlock, type TestFlock, type TestVars } from "../../scripts/test-flock.ts";
import { client, PASSWORD } from "./client";
import { TEST_JWT_SECRET } from "./harness";

const REPLICA = JSON.stringify({ lagWrites: 1000 });
const vars: TestVars = {
  "flock-gateway": { JWT_SECRET: TEST_JWT_SECRET },
  "flock-users": { REPLICA },
  "flock-posts": { REPLICA },
  "flock-comments": { REPLICA },
  "flock-notifications": { REPLICA },
};

let server: TestFlock;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  server = await startTestFlock(vars);
  api = client(server as never);
});
afterAll(async () => {
  await server?.close();
});

const HEADER = "flock-bookmark";

/** A client that keeps the newest Flock-Bookmark it was answered with and sends it back. */
function keeper() {
  let bookmark: string | null = null;
  return {
    get current() {
      return bookmark;
    },
    /** Registers a fresh user through this client, keeping the bookmark of the sign-up. */
    async signUp(name: string) {
      const handle = `${name}_${Math.floor(Math.random() * 1e6)}`;
      const reply = await this.request("POST", "/v1/auth/register", undefined, {
        handle,
        email: `${handle}@example.com`,
        password: PASSWORD,
      });
      expect(reply.status).toBe(201);
      return { handle, token: reply.body.token as string };
    },
    async request(method: string, path: string, token?: string, body?: unknown) {
      const reply = await api.request(method, path, {
        token,
        body,
        headers: bookmark ? { [HEADER]: bookmark } : {},
      });
      bookmark = reply.headers.get(HEADER) ?? bookmark;
      return reply;
    },
  };
}

/** What a Flock-Bookmark holds (opaque to clients; this test looks inside). */
const decoded = (token: string): Record<string, string> =>
  JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8"));

const ids = (reply: { body: { items: Array<{ id: string }> } }) =>
  reply.body.items.map((item) => item.id);

describe("read-your-writes with Flock-Bookmark over a lagging replica", () => {
  it("shows your post in your feed and profile, and your like, at once; a read without the header misses them", async () => {
    const me = await api.signUp("writer");
    const jar = keeper();
    const created = await jar.request("POST", "/v1/posts", me.token, { body: "fresh" });
    expect(created.status).toBe(201);
    expect(jar.current).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const postId = created.body.id as string;

    expect(ids(await jar.request("GET", "/v1/feed", me.token))).toEqual([postId]);
    expect(ids(await jar.request("GET", `/v1/users/${me.handle}/posts`))).toEqual([postId]);
    expect((await jar.request("PUT", `/v1/posts/${postId}/like`, me.token)).status).toBe(200);
    expect((await jar.request("GET", `/v1/posts/${postId}`, me.token)).body).toMatchObject({
      likeCount: 1,
      viewer: { liked: true },
    });

    // The replica has none of it: the same reads without the header see the copy.
    expect((await api.get(`/v1/posts/${postId}`, me.token)).status).toBe(404);
    expect(ids(await api.get("/v1/feed", me.token))).toEqual([]);
  });

  it("carries bookmarks of several databases at once, each only moving forward", async () => {
    const jar = keeper();
    const [author, reader] = [await jar.signUp("author"), await jar.signUp("reader")];
    const created = await jar.request("POST", "/v1/posts", author.token, { body: "talk" });
    const postId = created.body.id as string;
    const commented = await jar.request("POST", `/v1/posts/${postId}/comments`, reader.token, {
      body: "first",
    });
    expect(commented.status).toBe(201);
    const listed = await jar.request("GET", `/v1/posts/${postId}/comments`, reader.token);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([commented.body.id]);
    // An older token sent with the newest: the merge keeps the newer bookmark of each database.
    const older = created.headers.get(HEADER) ?? "";
    const merged = await api.request("GET", `/v1/posts/${postId}/comments`, {
      token: reader.token,
      headers: { [HEADER]: `${older}, ${jar.current}` },
    });
    expect(merged.body.items).toHaveLength(1);
    const before = decoded(jar.current ?? "");
    const after = decoded(merged.headers.get(HEADER) ?? "");
    expect(Object.keys(after).sort()).toEqual(["comments", "posts", "users"]);
    for (const [service, bookmark] of Object.entries(before))
      expect((after[service] ?? "") >= bookmark, service).toBe(true);
  });

  it("follow, then the followee's post is in your feed once you carry both bookmarks", async () => {
    const [author, fan] = [await api.signUp("star"), await api.signUp("fan")];
    const jar = keeper();
    expect((await jar.request("PUT", `/v1/users/${author.handle}/follow`, fan.token)).status).toBe(
      200,
    );
    const created = await jar.request("POST", "/v1/posts", author.token, { body: "news" });
    expect(ids(await jar.request("GET", "/v1/feed", fan.token))).toEqual([created.body.id]);
    // The copy has not even heard of the author.
    expect((await api.get(`/v1/users/${author.handle}/followers`)).status).toBe(404);
  });

  it("keeps read-your-writes on the RealWorld facade with the same header", async () => {
    const jar = keeper();
    const me = await jar.signUp("conduit");
    const created = await jar.request("POST", "/api/articles", me.token, {
      article: { title: "Fresh article", description: "d", body: "b", tagList: [] },
    });
    expect(created.status).toBe(201);
    const slug = created.body.article.slug as string;
    expect((await jar.request("GET", `/api/articles/${slug}`, me.token)).status).toBe(200);
    expect((await api.get(`/api/articles/${slug}`, me.token)).status).toBe(404);
  });

  it("ignores a garbage, oversized or tampered header: never a 5xx, and reads as without one", async () => {
    const me = await api.signUp("fuzzer");
    const jar = keeper();
    const postId = (await jar.request("POST", "/v1/posts", me.token, { body: "x" })).body
      .id as string;
    const good = jar.current ?? "";
    const [payload = "", tag = ""] = good.split(".");
    const forged = Buffer.from(
      JSON.stringify({ posts: "ffffffff-ffffffff-ffffffff-00000000000000000000000000000000" }),
    ).toString("base64url");
    const flip = (text: string) => text.slice(0, -1) + (text.endsWith("A") ? "B" : "A");
    const headers = [
      "garbage",
      ".",
      "..",
      "a.b.c",
      `${payload}.${flip(tag)}`,
      `${flip(payload)}.${tag}`,
      `${forged}.${tag}`,
      `${Buffer.from("not json").toString("base64url")}.${tag}`,
      "x".repeat(10_000),
      `${good},`.repeat(20),
      "\u00ff\u00fe.\u00e9",
      "%00",
    ];
    for (const header of headers) {
      const reply = await api.request("GET", `/v1/posts/${postId}`, {
        token: me.token,
        headers: { [HEADER]: header },
      });
      expect(reply.status, header.slice(0, 40)).toBeLessThan(500);
      if (header !== `${good},`.repeat(20)) expect(reply.status, header.slice(0, 40)).toBe(404);
    }
    // Several copies of a good token are still good (the first four are read).
    const repeated = await api.request("GET", `/v1/posts/${postId}`, {
      token: me.token,
      headers: { [HEADER]: `${good},`.repeat(3) },
    });
    expect(repeated.status).toBe(200);
  });

  it("lets a browser on another origin send and read the header (CORS)", async () => {
    const preflight = await api.request("OPTIONS", "/v1/posts", {
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "GET",
        "access-control-request-headers": HEADER,
      },
    });
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(HEADER);
    const reply = await api.request("GET", "/v1/posts", {
      headers: { origin: "http://localhost:5173" },
    });
    expect(reply.headers.get("access-control-expose-headers")?.toLowerCase()).toContain(HEADER);
  });
});
