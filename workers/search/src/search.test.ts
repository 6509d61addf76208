import { describe, expect, it } from "vitest";
import { newId, PostsWorld, publish, register, scopeOf } from "../test/helpers";
import { MAX_OFFSET, RECENCY_MS, searchPosts, searchTags, searchUsers } from "./search";
import { matchAll, termsOf } from "./terms";

const DAY = 24 * 60 * 60 * 1000;

describe("ranking posts", () => {
  it("ranks a fixed corpus by relevance blended with recency", async () => {
    const world = new PostsWorld();
    const author = newId();
    // Each holds "zebra": in the title (weighs most), often in the body, once in a long body, and
    // in a short body but two months old. The horse is not found at all.
    const titled = world.add(author, { title: "Zebra crossing", body: "a street sign" }, DAY);
    const often = world.add(author, { body: "zebra zebra zebra stripes" }, DAY);
    const once = world.add(
      author,
      { body: `the zebra ${"and many other words about the savannah ".repeat(8)}` },
      DAY,
    );
    const old = world.add(author, { body: "zebra stripes" }, 60 * DAY);
    const unrelated = world.add(author, { body: "a horse" });
    for (const post of [once, old, unrelated, often, titled]) await publish(world, post);
    const { items } = await searchPosts(scopeOf(), { q: "zebra" });
    // Two months of age divide relevance by three: the short old post still beats a long new one
    // that names a zebra once in passing.
    expect(items).toEqual([titled.id, often.id, old.id, once.id]);
  });

  it("prefers the newer of two equally relevant posts, by 1 + age / RECENCY_MS", async () => {
    const world = new PostsWorld();
    const newer = world.add(newId(), { body: "quokka selfie" }, DAY);
    const older = world.add(newId(), { body: "quokka selfie" }, RECENCY_MS);
    await publish(world, older);
    await publish(world, newer);
    expect((await searchPosts(scopeOf(), { q: "quokka selfie" })).items).toEqual([
      newer.id,
      older.id,
    ]);
  });

  it("needs every word, the last one as a prefix, accents and case folded", async () => {
    const world = new PostsWorld();
    const both = world.add(newId(), { body: "Un café au Marché" });
    const one = world.add(newId(), { body: "un café seulement" });
    await publish(world, both);
    await publish(world, one);
    expect((await searchPosts(scopeOf(), { q: "CAFE march" })).items).toEqual([both.id]);
    expect((await searchPosts(scopeOf(), { q: "ｃａｆé" })).items.sort()).toEqual(
      [both.id, one.id].sort(),
    );
  });

  it("pages by cursor without repeats or gaps", async () => {
    const world = new PostsWorld();
    const posts = Array.from({ length: 5 }, (_, i) =>
      world.add(newId(), { body: `pangolin ${i}` }, i * DAY),
    );
    for (const post of posts) await publish(world, post);
    const first = await searchPosts(scopeOf(), { q: "pangolin", limit: 2 });
    const second = await searchPosts(scopeOf(), {
      q: "pangolin",
      limit: 2,
      cursor: first.nextCursor ?? "",
    });
    const third = await searchPosts(scopeOf(), {
      q: "pangolin",
      limit: 2,
      cursor: second.nextCursor ?? "",
    });
    expect([...first.items, ...second.items, ...third.items]).toEqual(posts.map((post) => post.id));
    expect(third.nextCursor).toBeNull();
  });
});

describe("people and tags", () => {
  it("matches handles and display names by prefix, the exact handle first", async () => {
    const tag = newId().slice(-6).toLowerCase();
    const exact = await register(`mar${tag}`, "Someone Else");
    const longer = await register(`mar${tag}xyz`, "Another");
    const byName = await register(`zz${tag}`, `Mar${tag}ia Curie`);
    await register(`other${tag}`, "Nobody");
    const ids = async (q: string) => (await searchUsers(scopeOf(), { q })).items.map((u) => u.id);
    expect(await ids(`mar${tag}`)).toEqual([exact, longer, byName]);
    expect(await ids(`@MAR${tag}X`)).toEqual([longer]);
    expect(await ids(`curie mar${tag.slice(0, 2)}`)).toEqual([byName]);
  });

  it("finds tags by prefix, the most used first", async () => {
    const world = new PostsWorld();
    const stem = `t${newId().slice(-8).toLowerCase()}`;
    const posts = [
      world.add(newId(), { body: "a", tags: [`${stem}rare`] }),
      world.add(newId(), { body: "b", tags: [`${stem}common`] }),
      world.add(newId(), { body: "c", tags: [`${stem}common`, `${stem}rare`] }),
      world.add(newId(), { body: "d", tags: [`${stem}common`] }),
    ];
    for (const post of posts) await publish(world, post);
    expect((await searchTags(scopeOf(), { q: `#${stem.toUpperCase()}` })).items).toEqual([
      { tag: `${stem}common`, postCount: 3 },
      { tag: `${stem}rare`, postCount: 2 },
    ]);
  });
});

describe("hostile queries", () => {
  const hostile = [
    '"',
    '""',
    "'",
    "*",
    "**",
    "a*b",
    "NEAR(a b)",
    "NEAR(",
    "^start",
    "title:secret",
    "body : x",
    "- a",
    "a OR b",
    "NOT a",
    "a AND",
    "(",
    ")",
    "{title body}: x",
    "\u0000",
    "\u0301\u0301",
    "\u200b",
    "🦆🦆",
    "𝐯𝐢𝐚𝐠𝐫𝐚",
    "ｚｅｂｒａ",
    "日本語のテキスト",
    "مرحبا بالعالم",
    "a".repeat(200),
    "x ".repeat(100),
    "%_\\",
    "'; DROP TABLE indexed_posts; --",
    "\ud800",
  ];

  it("never reaches FTS5 syntax: only quoted words, and the star added here", () => {
    for (const q of hostile) {
      const expression = matchAll(termsOf(q), "every");
      expect(expression).toMatch(/^("([^"]|"")+"\*( |$))*$/u);
    }
  });

  it.each(hostile)("answers %j with a page, never an error", async (q) => {
    for (const search of [searchPosts, searchUsers, searchTags]) {
      const page = await search(scopeOf(newId()), { q });
      expect(Array.isArray(page.items)).toBe(true);
    }
  });

  it("refuses an empty or oversize text, and a forged cursor, as invalid input", async () => {
    for (const query of [
      { q: "" },
      { q: "   " },
      { q: "a".repeat(201) },
      { q: "a", cursor: "not-a-cursor" },
      { q: "a", cursor: btoa(`${Date.now()}.${MAX_OFFSET + 1}`) },
    ]) {
      await expect(searchPosts(scopeOf(), query)).rejects.toMatchObject({ code: "validation" });
    }
  });
});
