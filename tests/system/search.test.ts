// Search through the public gateway, with every worker running: DESIGN.md "Search". The index is
// fed by events, so each check that follows a write waits for it (eventually).
import { describe, expect, it } from "vitest";
import { eventually, type Reply, type User } from "./client";
import { useFlock } from "./harness";
import { makeModerator } from "./roles";

const flock = useFlock();

/** A word no other test writes. */
const word = () => `w${Math.random().toString(36).slice(2, 12)}`;

/** A page of GET /v1/search, loosely typed: each test reads the fields its type has. */
type Results = {
  type: string;
  items: Array<Record<string, unknown> & { id: string }>;
  nextCursor: string | null;
  terms: string[];
};

/** The search worker's database, read directly. */
type SearchDb = {
  prepare(query: string): { bind(...values: string[]): { first<T>(): Promise<T | null> } };
};

async function search(q: string, options: { type?: string; token?: string; extra?: string } = {}) {
  const params = new URLSearchParams({ q, ...(options.type ? { type: options.type } : {}) });
  const reply = await flock.api.get(`/v1/search?${params}${options.extra ?? ""}`, options.token);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body as Results;
}

const ids = async (q: string, token?: string) =>
  (await search(q, { token })).items.map((post: { id: string }) => post.id);

async function post(author: User, body: string, tags: string[] = []) {
  const reply = await flock.api.post("/v1/posts", { body, tags }, author.token);
  expect(reply.status).toBe(201);
  return reply.body as { id: string };
}

const found = (q: string, expected: string[], token?: string) =>
  eventually(async () => expect(await ids(q, token)).toEqual(expected));

describe("searching posts", () => {
  it("finds a post soon after it is written, hydrated like any post, with the reader's viewer state", async () => {
    const [author, reader] = [await flock.api.signUp("author"), await flock.api.signUp("reader")];
    const text = word();
    const { id } = await post(author, `Hello ${text} world`, ["greeting"]);
    await found(text, [id]);
    await flock.api.put(`/v1/posts/${id}/like`, reader.token);
    const page = await search(text.toUpperCase(), { token: reader.token });
    expect(page).toMatchObject({ type: "posts", terms: [text], nextCursor: null });
    expect(page.items[0]).toMatchObject({
      id,
      body: `Hello ${text} world`,
      tags: ["greeting"],
      author: { id: author.id, handle: author.handle },
      likeCount: 1,
      viewer: { liked: true, shared: false },
    });
    const anonymous = (await search(text)).items;
    expect(anonymous.map((item) => item.id)).toEqual([id]);
    expect(anonymous[0]).not.toHaveProperty("viewer");
  });

  it("follows an edit and forgets a deleted post", async () => {
    const author = await flock.api.signUp("editor");
    const [before, after] = [word(), word()];
    const { id } = await post(author, `first ${before}`);
    await found(before, [id]);
    expect(
      (await flock.api.patch(`/v1/posts/${id}`, { body: `then ${after}` }, author.token)).status,
    ).toBe(200);
    await found(after, [id]);
    expect(await ids(before)).toEqual([]);
    expect((await flock.api.del(`/v1/posts/${id}`, author.token)).status).toBe(204);
    // Gone at once (hydration reads the posts service), and from the index soon after.
    expect(await ids(after)).toEqual([]);
    await eventually(async () => {
      const env = (await flock.server.getWorker("flock-search").getEnv()) as { DB: SearchDb };
      const row = await env.DB.prepare("SELECT count(*) AS n FROM indexed_posts WHERE post_id = ?")
        .bind(id)
        .first<{ n: number }>();
      expect(row?.n).toBe(0);
    });
  });

  it("never returns a held post, nor one a moderator hid, and returns it once released", async () => {
    const author = await flock.api.signUp("held");
    const text = word();
    const held = await post(author, `cheap viagra ${text}`);
    const shown = await post(author, `fine ${text}`);
    await found(text, [shown.id]);
    // Not even to its author: search finds what everyone may see.
    expect(await ids(text, author.token)).toEqual([shown.id]);
    const moderator = await makeModerator(flock.server, await flock.api.signUp("mod"));
    const hide = await flock.api.post(
      `/v1/moderation/reports/post_${held.id}/resolve`,
      { action: "dismiss" },
      moderator.token,
    );
    expect(hide.status).toBe(204);
    await eventually(async () =>
      expect((await ids(text)).sort()).toEqual([held.id, shown.id].sort()),
    );
    await flock.api.post(`/v1/posts/${shown.id}/report`, { reason: "spam" }, moderator.token);
    const hidden = await flock.api.post(
      `/v1/moderation/reports/post_${shown.id}/resolve`,
      { action: "hide" },
      moderator.token,
    );
    expect(hidden.status).toBe(204);
    await found(text, [held.id]);
  });

  it("shows nothing across a block, from either side, and everything again after the unblock", async () => {
    const [blocker, blocked, witness] = [
      await flock.api.signUp("blocker"),
      await flock.api.signUp("blocked"),
      await flock.api.signUp("witness"),
    ];
    const text = word();
    const mine = await post(blocker, `by blocker ${text}`);
    const theirs = await post(blocked, `by blocked ${text}`);
    await eventually(async () => expect(await ids(text)).toHaveLength(2));
    expect((await flock.api.put(`/v1/users/${blocked.handle}/block`, blocker.token)).status).toBe(
      200,
    );
    // At once: the posts service filters what it hydrates; the index's own copy follows.
    expect(await ids(text, blocker.token)).toEqual([mine.id]);
    expect(await ids(text, blocked.token)).toEqual([theirs.id]);
    expect((await ids(text, witness.token)).sort()).toEqual([mine.id, theirs.id].sort());
    const people = async (token: string) =>
      (await search(blocked.handle, { type: "users", token })).items.map(
        (u: { id: string }) => u.id,
      );
    await eventually(async () => expect(await people(blocker.token)).toEqual([]));
    expect(await people(witness.token)).toEqual([blocked.id]);
    await flock.api.del(`/v1/users/${blocked.handle}/block`, blocker.token);
    await eventually(async () => expect(await ids(text, blocker.token)).toHaveLength(2));
  });

  it("pages through many results without repeats", async () => {
    const author = await flock.api.signUp("pager");
    const text = word();
    const written: string[] = [];
    for (let i = 0; i < 5; i++) written.push((await post(author, `${text} number ${i}`)).id);
    await eventually(async () => expect(await ids(text)).toHaveLength(5));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(text, { extra: `&limit=2${cursor ? `&cursor=${cursor}` : ""}` });
      seen.push(...page.items.map((item: { id: string }) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(written.sort());
  });
});

describe("searching people and tags", () => {
  it("finds people by handle prefix and display name, follows a rename, forgets a deleted account", async () => {
    const person = await flock.api.signUp("finder");
    const name = word();
    await flock.api.patch("/v1/me", { displayName: `Grace ${name}` }, person.token);
    const people = async (q: string) =>
      (await search(q, { type: "users" })).items.map((u: { id: string }) => u.id);
    await eventually(async () => expect(await people(name.slice(0, 6))).toEqual([person.id]));
    expect(await people(person.handle.slice(0, 12))).toContain(person.id);
    const [item] = (await search(name, { type: "users" })).items;
    expect(item).toEqual({
      id: person.id,
      handle: person.handle,
      displayName: `Grace ${name}`,
      avatarUrl: null,
    });
    expect((await flock.api.deleteAccount(person.token)).status).toBe(204);
    await eventually(async () => expect(await people(name)).toEqual([]));
  });

  it("finds tags by prefix, the most used first", async () => {
    const author = await flock.api.signUp("tagger");
    const stem = word();
    await post(author, "one", [`${stem}_b`]);
    await post(author, "two", [`${stem}_a`, `${stem}_b`]);
    await eventually(async () =>
      expect((await search(`#${stem}`, { type: "tags" })).items).toEqual([
        { tag: `${stem}_b`, postCount: 2 },
        { tag: `${stem}_a`, postCount: 1 },
      ]),
    );
  });
});

describe("what search refuses", () => {
  it("answers an empty, blank or oversize text, or an unknown type, with a 422 problem", async () => {
    for (const path of [
      "/v1/search",
      "/v1/search?q=",
      "/v1/search?q=%20%20",
      `/v1/search?q=${"a".repeat(201)}`,
      "/v1/search?q=a&type=comments",
      "/v1/search?q=a&limit=0",
      "/v1/search?q=a&cursor=forged",
    ]) {
      const reply: Reply = await flock.api.get(path);
      expect(reply.status, path).toBe(422);
      expect(reply.headers.get("content-type"), path).toContain("application/problem+json");
    }
  });

  it("treats query syntax as plain words, never as an error", async () => {
    for (const q of ['"', "a*", "NEAR(a b)", "^x", "title:x", "a OR b", "(", "🦆", "\u200b", "é"]) {
      for (const type of ["posts", "users", "tags"]) {
        const reply = await flock.api.get(`/v1/search?${new URLSearchParams({ q, type })}`);
        expect(reply.status, `${type} ${q}`).toBe(200);
      }
    }
  });
});
