import { describe, expect, it } from "vitest";
import { idOfSlug, slugOf, titleOf } from "../../workers/gateway/src/realworld/mapping.ts";
import type { Reply, User } from "./client";
import { useFlock } from "./harness";

const flock = useFlock();

/** A request to /api with RealWorld's `Token` scheme. */
function realworld(method: string, path: string, user?: User, body?: unknown): Promise<Reply> {
  return flock.api.request(method, `/api${path}`, {
    body,
    headers: user ? { authorization: `Token ${user.token}` } : {},
  });
}

async function article(author: User, fields: Record<string, unknown>) {
  const reply = await realworld("POST", "/articles", author, { article: fields });
  expect(reply.status).toBe(201);
  return reply.body.article;
}

const idOf = (slug: string) => slug.slice(-26).toUpperCase();

describe("the RealWorld API over flock's services", () => {
  it("shows an article written through /api as a post in /v1, and a /v1 post as an article", async () => {
    const author = await flock.api.signUp("writer");
    const written = await article(author, {
      title: "How to flock",
      description: "In short",
      body: "All of it",
      tagList: ["zeta", "alpha"],
    });
    expect(written.slug).toMatch(/^how-to-flock-[0-9a-z]{26}$/);
    const post = await flock.api.get(`/v1/posts/${idOf(written.slug)}`);
    expect(post.body).toMatchObject({
      title: "How to flock",
      description: "In short",
      body: "All of it",
      tags: ["zeta", "alpha"],
      author: { handle: author.handle },
    });

    const plain = await flock.api.post(
      "/v1/posts",
      { body: "Just a thought\nwith a second line" },
      author.token,
    );
    const share = await flock.api.post(
      `/v1/posts/${post.body.id}/shares`,
      { body: "look" },
      author.token,
    );
    expect([plain.status, share.status]).toEqual([201, 201]);
    const listed = await realworld("GET", `/articles?author=${author.handle}`);
    expect(listed.body.articlesCount).toBe(2);
    expect(listed.body.articles.map((item: { title: string }) => item.title)).toEqual([
      "Just a thought with a second line",
      "How to flock",
    ]);
    const untitled = await realworld("GET", `/articles/${listed.body.articles[0].slug}`);
    expect(untitled.body.article).toMatchObject({
      description: "",
      body: "Just a thought\nwith a second line",
    });
    // A share is a post but not an article: it is neither listed nor found.
    expect((await realworld("GET", `/articles/${share.body.id.toLowerCase()}`)).status).toBe(404);
  });

  it("makes a favorite a like and a RealWorld comment a flock comment", async () => {
    const [author, reader] = [await flock.api.signUp("author"), await flock.api.signUp("reader")];
    const { slug } = await article(author, { title: "Likeable", description: "d", body: "b" });
    const favorited = await realworld("POST", `/articles/${slug}/favorite`, reader);
    expect(favorited.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
    const post = await flock.api.get(`/v1/posts/${idOf(slug)}`, reader.token);
    expect(post.body).toMatchObject({ likeCount: 1, viewer: { liked: true } });
    const byFavorite = await realworld("GET", `/articles?favorited=${reader.handle}`);
    expect(byFavorite.body.articles.map((item: { slug: string }) => item.slug)).toEqual([slug]);

    const comment = await flock.api.post(
      `/v1/posts/${idOf(slug)}/comments`,
      { body: "from v1" },
      reader.token,
    );
    const listed = await realworld("GET", `/articles/${slug}/comments`);
    expect(listed.body.comments).toEqual([
      expect.objectContaining({ id: comment.body.number, body: "from v1" }),
    ]);
    expect(Number.isInteger(comment.body.number)).toBe(true);
    expect(
      (await realworld("DELETE", `/articles/${slug}/comments/${comment.body.number}`, author))
        .status,
    ).toBe(204);
    expect((await flock.api.get(`/v1/posts/${idOf(slug)}/comments`)).body.items).toEqual([]);
  });

  it("counts a followed author's new articles in the feed at once, with the author followed", async () => {
    const [reader, author] = [await flock.api.signUp("reader"), await flock.api.signUp("author")];
    const followed = await realworld("POST", `/profiles/${author.handle}/follow`, reader);
    expect(followed.body.profile).toMatchObject({ username: author.handle, following: true });
    await article(author, { title: "One", description: "d", body: "b" });
    await article(author, { title: "Two", description: "d", body: "b" });
    await article(reader, { title: "Mine", description: "d", body: "b" });
    const feed = await realworld("GET", "/articles/feed?limit=1&offset=1", reader);
    expect(feed.body.articlesCount).toBe(2);
    expect(feed.body.articles).toEqual([
      expect.objectContaining({
        title: "One",
        author: expect.objectContaining({ following: true }),
      }),
    ]);
  });

  it("renames a user through /api, which /v1 then knows by the new handle", async () => {
    const user = await flock.api.signUp("renamed");
    const handle = `${user.handle.slice(0, 25)}_new`;
    const reply = await realworld("PUT", "/user", user, { user: { username: handle, bio: "" } });
    expect(reply.body.user).toMatchObject({ username: handle, bio: null });
    expect((await flock.api.get(`/v1/users/${handle}`)).body.id).toBe(user.id);
    const me = await flock.api.request("GET", "/api/user", {
      headers: { authorization: `Bearer ${reply.body.user.token}` },
    });
    expect(me.body.user.username).toBe(handle);
  });

  it("names a missing or an invalid token in the RealWorld envelope", async () => {
    expect(await realworld("GET", "/user")).toMatchObject({
      status: 401,
      body: { errors: { token: ["is missing"] } },
    });
    const invalid = await flock.api.request("GET", "/api/user", {
      headers: { authorization: "Token not.a.jwt" },
    });
    expect(invalid).toMatchObject({ status: 401, body: { errors: { token: ["is invalid"] } } });
  });

  it("answers bad input with a 4xx in the RealWorld envelope, never a 5xx", async () => {
    const user = await flock.api.signUp("prober");
    const { slug } = await article(user, { title: "Target", description: "d", body: "b" });
    const auth = { authorization: `Token ${user.token}` };
    const cases: Array<[string, string, { raw?: string; body?: unknown }]> = [
      ["POST", "/api/users", { raw: "{not json" }],
      ["POST", "/api/users", { body: [1, 2] }],
      ["POST", "/api/users", { body: { user: { username: 1, email: {}, password: null } } }],
      ["POST", "/api/users/login", { body: { user: { email: "x".repeat(300), password: "p" } } }],
      [
        "POST",
        "/api/articles",
        { body: { article: { title: "t", description: "d", body: "b", tagList: ["a b", 3] } } },
      ],
      [
        "POST",
        "/api/articles",
        { body: { article: { title: "x".repeat(1000), description: "d", body: "b" } } },
      ],
      ["PUT", `/api/articles/${slug}`, { body: { article: { tagList: null } } }],
      ["PUT", `/api/articles/${slug}`, { body: { article: {} } }],
      ["PUT", "/api/user", { body: { user: { email: "not an email", image: "ftp://x" } } }],
      ["GET", "/api/articles?limit=-1&offset=1e99", {}],
      ["GET", "/api/articles?limit=1e400", {}],
      ["GET", `/api/articles?author=${"a".repeat(500)}`, {}],
      ["GET", "/api/articles/%F0%9F%90%A6", {}],
      ["GET", `/api/articles/${"z".repeat(5000)}`, {}],
      ["DELETE", `/api/articles/${slug}/comments/99999999999999999999`, {}],
      ["DELETE", `/api/articles/${slug}/comments/-1`, {}],
      ["POST", `/api/articles/${slug}/comments`, { body: { comment: { body: ["x"] } } }],
      ["GET", `/api/profiles/${"%00".repeat(10)}`, {}],
      ["POST", "/api/profiles/%E2%80%8B/follow", {}],
      ["PATCH", "/api/articles", {}],
      ["GET", "/api/nowhere", {}],
      ["POST", "/api/articles", { raw: JSON.stringify({ article: { body: "x".repeat(70_000) } }) }],
    ];
    for (const [method, path, options] of cases) {
      const reply = await flock.api.request(method, path, {
        ...options,
        headers: { ...auth, "content-type": "application/json" },
      });
      expect(reply.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(reply.status, `${method} ${path}`).toBeLessThan(500);
      expect(Object.keys(reply.body.errors ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
    }
  });
});

describe("slugs and derived titles", () => {
  const id = "01M80BJQA78DVTEC0B5A7R2B62";

  it("makes a slug of the title's words and the post id, and reads the id back", () => {
    const slug = slugOf({ id, title: "Ça va? Déjà 10 x 10 — 東京!", body: "" });
    expect(slug).toBe(`ca-va-deja-10-x-10-東京-${id.toLowerCase()}`);
    expect(idOfSlug(slug)).toBe(id);
    expect(idOfSlug(`any-other-words-${id.toLowerCase()}`)).toBe(id);
    expect(slugOf({ id, title: "🐦🐦", body: "" })).toBe(id.toLowerCase());
    expect(slugOf({ id, title: "x".repeat(300), body: "" })).toHaveLength(60 + 1 + 26);
    for (const bad of [
      "",
      "hello",
      `x-${id.slice(1).toLowerCase()}`,
      `${id}x`,
      `x-${"I".repeat(26)}`,
    ])
      expect(idOfSlug(bad), bad).toBeNull();
  });

  it("titles an untitled post with the start of its body, cut at a word", () => {
    expect(titleOf({ title: "Given", body: "ignored" })).toBe("Given");
    expect(titleOf({ title: null, body: "  two\n lines  " })).toBe("two lines");
    const long = titleOf({ title: null, body: `${"word ".repeat(20)}end` });
    expect(long).toBe(`${"word ".repeat(12).trimEnd()}…`);
    const midWord = titleOf({ title: null, body: "abcdefghij ".repeat(10) });
    expect(midWord).toBe(`${"abcdefghij ".repeat(5).trimEnd()}…`);
    expect(titleOf({ title: null, body: "y".repeat(100) })).toBe(`${"y".repeat(60)}…`);
  });
});
