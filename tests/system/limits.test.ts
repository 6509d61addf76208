import { describe, expect, it } from "vitest";
import { eventually, type Reply, type User } from "./client";
import { useFlock } from "./harness";

const flock = useFlock();

/** A text that mentions `count` distinct accounts (whether or not anyone holds the handles). */
const mentioning = (count: number) =>
  Array.from({ length: count }, (_, i) => `@someone_${i}`).join(" ");

function expectProblem(reply: Reply, status: number, path?: string) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toContain("application/problem+json");
  if (path) expect(reply.body.errors).toEqual([{ path, message: expect.any(String) }]);
}

type D1 = {
  prepare(query: string): {
    bind(...values: string[]): {
      run(): Promise<unknown>;
      all(): Promise<{ results: Array<Record<string, unknown>> }>;
    };
  };
};

async function postsDb(): Promise<D1> {
  return ((await flock.server.getWorker("flock-posts").getEnv()) as { DB: D1 }).DB;
}

async function followNotifications(user: User, from: User) {
  const list = await flock.api.get("/v1/notifications", user.token);
  return list.body.items.filter(
    (item: { type: string; actor: { id: string } | null }) =>
      item.type === "follow" && item.actor?.id === from.id,
  ).length;
}

describe("at most 50 distinct mentions in one post or comment", () => {
  it("refuses 51 with a 422 naming the body, in posts, edits, shares, comments and /api articles", async () => {
    const { api } = flock;
    const author = await api.signUp("mentioner");
    expectProblem(await api.post("/v1/posts", { body: mentioning(51) }, author.token), 422, "body");
    const fifty = await api.post("/v1/posts", { body: mentioning(50) }, author.token);
    expect(fifty.status).toBe(201);
    const post = fifty.body.id;
    expectProblem(
      await api.patch(`/v1/posts/${post}`, { body: mentioning(51) }, author.token),
      422,
    );
    expectProblem(
      await api.post(`/v1/posts/${post}/shares`, { body: mentioning(51) }, author.token),
      422,
      "body",
    );
    expectProblem(
      await api.post(`/v1/posts/${post}/comments`, { body: mentioning(51) }, author.token),
      422,
      "body",
    );
    const comment = await api.post(`/v1/posts/${post}/comments`, { body: "hi" }, author.token);
    expectProblem(
      await api.patch(`/v1/comments/${comment.body.id}`, { body: mentioning(51) }, author.token),
      422,
      "body",
    );
    // RealWorld answers its own shape, for the same rule: an article is a post.
    const article = await api.request("POST", "/api/articles", {
      headers: { authorization: `Token ${author.token}` },
      body: { article: { title: "Many", description: "names", body: mentioning(51) } },
    });
    expect(article.status).toBe(422);
    expect(article.body.errors.body).toEqual([expect.any(String)]);
    // Fifty stand; the moderation rules hold a post naming more than five, so its author reads it.
    const stored = await api.get(`/v1/posts/${post}`, author.token);
    expect(stored.body).toMatchObject({ body: mentioning(50), status: "held" });
  });
});

describe("one follow notification per follower and account a day", () => {
  it("notifies once of follow, unfollow and follow again", async () => {
    const { api } = flock;
    const [fan, star] = [await api.signUp("fan"), await api.signUp("star")];
    for (const method of ["PUT", "DELETE", "PUT", "DELETE", "PUT"]) {
      expect(
        (await api.request(method, `/v1/users/${star.handle}/follow`, { token: fan.token })).status,
      ).toBe(200);
    }
    await eventually(async () => expect(await followNotifications(star, fan)).toBe(1));
    // A later event the notifications inbox must have applied: after it, still one.
    const post = await api.post("/v1/posts", { body: "like me" }, star.token);
    await api.put(`/v1/posts/${post.body.id}/like`, fan.token);
    await eventually(async () => {
      const list = await api.get("/v1/notifications", star.token);
      expect(list.body.items.map((item: { type: string }) => item.type)).toContain("like");
    });
    expect(await followNotifications(star, fan)).toBe(1);
  });
});

describe("a declined friend request", () => {
  it("is a 409 when sent again, and leaves the other way free", async () => {
    const { api } = flock;
    const [ann, ben] = [await api.signUp("ann"), await api.signUp("ben")];
    const first = await api.post(`/v1/users/${ben.handle}/friend-request`, undefined, ann.token);
    expect(first.status).toBe(201);
    const declined = await api.post(
      `/v1/me/friend-requests/${first.body.id}/decline`,
      undefined,
      ben.token,
    );
    expect(declined.status).toBe(200);
    const again = await api.post(`/v1/users/${ben.handle}/friend-request`, undefined, ann.token);
    expectProblem(again, 409);
    expect(again.body.detail).toContain("declined");
    const back = await api.post(`/v1/users/${ann.handle}/friend-request`, undefined, ben.token);
    expect(back.status).toBe(201);
  });
});

describe("the home feed with more than 1,000 celebrities", () => {
  it("answers /v1/feed and /api/articles/feed with the followed celebrities' posts", async () => {
    const { api } = flock;
    const reader = await api.signUp("reader");
    const friend = await api.signUp("friend");
    await api.put(`/v1/users/${friend.handle}/follow`, reader.token);
    const mine = await api.post("/v1/posts", { body: "the reader's own" }, reader.token);
    // Seeded straight into posts-db, as the posts service leaves celebrities: 1,200 of them, each
    // with one merged post, the reader following every other one. (Before the bounded merge, every
    // feed past 1,000 celebrities answered 422: the users service refuses more than 1,000 ids.)
    const db = await postsDb();
    const seed = JSON.stringify(
      Array.from({ length: 1200 }, (_, i) => ({
        author: `CELEBRITY${String(i).padStart(17, "0")}`,
        post: `01${String(i).padStart(24, "0")}`,
        followed: i % 2 === 0 ? 1 : 0,
      })),
    );
    const at = new Date(0).toISOString();
    await db
      .prepare(
        `INSERT INTO posts (id, author_id, body, tags, created_at, updated_at)
         SELECT json_extract(value, '$.post'), json_extract(value, '$.author'), 'famous', '[]', ?2, ?2
         FROM json_each(?1)`,
      )
      .bind(seed, at)
      .run();
    const statements: Array<[string, ...string[]]> = [
      [
        `INSERT INTO authors (id, handle, display_name, avatar_url, updated_at)
         SELECT json_extract(value, '$.author'), lower(json_extract(value, '$.author')), 'Famous', NULL, ?2
         FROM json_each(?1)`,
        seed,
        at,
      ],
      [
        `INSERT INTO merged_posts (post_id, author_id)
         SELECT json_extract(value, '$.post'), json_extract(value, '$.author') FROM json_each(?1)`,
        seed,
      ],
      [
        `INSERT INTO celebrities (author_id, since)
         SELECT json_extract(value, '$.author'), ?2 FROM json_each(?1)`,
        seed,
        at,
      ],
      [
        `INSERT INTO follow_states (follower_id, followee_id, following, event_id)
         SELECT ?2, json_extract(value, '$.author'), 1, '0' FROM json_each(?1)
         WHERE json_extract(value, '$.followed') = 1`,
        seed,
        reader.id,
      ],
    ];
    for (const [statement, ...values] of statements) {
      await db
        .prepare(statement)
        .bind(...values)
        .run();
    }
    const friendPost = await api.post("/v1/posts", { body: "from a friend" }, friend.token);

    const feed = await api.get("/v1/feed?limit=5", reader.token);
    expect(feed.status).toBe(200);
    expect(feed.body.items.map((post: { id: string }) => post.id)).toEqual([
      friendPost.body.id,
      mine.body.id,
      `01${String(1198).padStart(24, "0")}`,
      `01${String(1196).padStart(24, "0")}`,
      `01${String(1194).padStart(24, "0")}`,
    ]);
    const articles = await api.request("GET", "/api/articles/feed?limit=1", {
      headers: { authorization: `Token ${reader.token}` },
    });
    expect(articles.status).toBe(200);
    // The feed by position holds followed accounts' originals: the friend's and 600 celebrities'.
    expect(articles.body.articlesCount).toBe(601);
    expect(
      articles.body.articles.map((article: { author: { username: string } }) => article.author),
    ).toEqual([expect.objectContaining({ username: friend.handle })]);
  });
});
