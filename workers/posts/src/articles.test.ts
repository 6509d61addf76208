import { describe, expect, it } from "vitest";
import { CELEBRITY, failureCode, followGraph, scopeOf, userId } from "../test/helpers";
import { articleFeed, listArticles, popularTags } from "./articles";
import { like } from "./likes";
import { createPost, deletePost, sharePost, updatePost } from "./posts";

const write = (author: string, body: string, extra: { tags?: string[]; title?: string } = {}) =>
  createPost(scopeOf(author), { body, ...extra }, { firstFollowers: null });

const ids = (page: { items: Array<{ id: string }> }) => page.items.map((post) => post.id);

/** A tag no other test uses, so counts and lists are this test's own. */
let tagCounter = 0;
const freshTag = () => `t${++tagCounter}_${userId().slice(-8).toLowerCase()}`;

describe("articles", () => {
  it("keeps a post's description and the order its tags were given in", async () => {
    const author = userId();
    const post = await createPost(
      scopeOf(author),
      { body: "text", title: "T", description: "In short", tags: ["zeta", "alpha", "Zeta"] },
      { firstFollowers: null },
    );
    expect(post).toMatchObject({ description: "In short", tags: ["zeta", "alpha"] });
    const edited = await updatePost(scopeOf(author), post.id, { description: null });
    expect(edited).toMatchObject({ description: null, title: "T", tags: ["zeta", "alpha"] });
  });

  it("lists an author's articles newest first by position, with the total, leaving shares out", async () => {
    const [author, other] = [userId(), userId()];
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await write(author, `article ${i}`)).id);
    await sharePost(
      scopeOf(author),
      (await write(other, "theirs")).id,
      {},
      { firstFollowers: null },
    );
    const first = await listArticles(scopeOf(), { authorId: author, limit: 2, offset: 0 });
    expect(ids(first)).toEqual([made[2], made[1]]);
    expect(first.total).toBe(3);
    const second = await listArticles(scopeOf(), { authorId: author, limit: 2, offset: 2 });
    expect(ids(second)).toEqual([made[0]]);
    expect(second.total).toBe(3);
    const everyone = await listArticles(scopeOf(), { limit: 100, offset: 0 });
    expect(everyone.items.every((post) => post.sharedPostId === null)).toBe(true);
    expect(ids(everyone)).toEqual(expect.arrayContaining(made));
  });

  it("narrows by tag, by liker and by author, alone and together", async () => {
    const [alice, bob, fan] = [userId(), userId(), userId()];
    const tag = freshTag();
    const aliceTagged = await write(alice, "a1", { tags: [tag] });
    const bobTagged = await write(bob, "b1", { tags: [tag.toUpperCase()] });
    const aliceUntagged = await write(alice, "a2");
    await like(scopeOf(fan), aliceTagged.id);
    await like(scopeOf(fan), aliceUntagged.id);
    const list = (query: Parameters<typeof listArticles>[1]) =>
      listArticles(scopeOf(fan), { limit: 20, offset: 0, ...query });

    expect(ids(await list({ tag: tag.toUpperCase() }))).toEqual([bobTagged.id, aliceTagged.id]);
    expect(ids(await list({ likedBy: fan }))).toEqual([aliceUntagged.id, aliceTagged.id]);
    expect(ids(await list({ tag, likedBy: fan }))).toEqual([aliceTagged.id]);
    expect(ids(await list({ tag, authorId: bob }))).toEqual([bobTagged.id]);
    const liked = await list({ likedBy: fan, authorId: alice, limit: 1, offset: 1 });
    expect(ids(liked)).toEqual([aliceTagged.id]);
    expect(liked.total).toBe(2);
    expect(liked.items[0]?.viewer).toEqual({ liked: true, shared: false });
    expect(await list({ tag: "no-such-tag" })).toEqual({ items: [], total: 0 });
  });

  it("rejects a limit or an offset out of range", async () => {
    expect(await failureCode(listArticles(scopeOf(), { limit: 0, offset: 0 }))).toBe("validation");
    expect(await failureCode(listArticles(scopeOf(), { limit: 10, offset: 10_001 }))).toBe(
      "validation",
    );
    expect(await failureCode(listArticles(scopeOf(), { authorId: "nope" }))).toBe("validation");
  });
});

describe("the article feed", () => {
  it("counts a followed author's new articles at once, without the reader's own posts or shares", async () => {
    const graph = followGraph();
    const [reader, author, stranger] = [userId(), userId(), userId()];
    graph.follow(reader, author);
    const post = async (who: string, body: string) =>
      createPost(
        scopeOf(who),
        { body, title: body },
        { firstFollowers: await graph.firstFollowers(who) },
      );
    expect(await articleFeed(scopeOf(reader), graph.audience, {})).toEqual({ items: [], total: 0 });
    const first = await post(author, "one");
    const second = await post(author, "two");
    await post(reader, "mine");
    await post(stranger, "not followed");
    await sharePost(
      scopeOf(author),
      first.id,
      {},
      { firstFollowers: await graph.firstFollowers(author) },
    );
    const page = await articleFeed(scopeOf(reader), graph.audience, { limit: 1 });
    expect(ids(page)).toEqual([second.id]);
    expect(page.total).toBe(2);
    const next = await articleFeed(scopeOf(reader), graph.audience, { limit: 1, offset: 1 });
    expect(ids(next)).toEqual([first.id]);
    expect(await failureCode(articleFeed(scopeOf(null), graph.audience, {}))).toBe("unauthorized");
  });

  it("merges in the articles of very followed authors, which are not fanned out", async () => {
    const graph = followGraph();
    const [reader, celebrity, friend] = [userId(), userId(), userId()];
    for (let i = 0; i < CELEBRITY; i++) graph.follow(i === 0 ? reader : userId(), celebrity);
    graph.follow(reader, friend);
    const made: string[] = [];
    for (const author of [celebrity, friend, celebrity]) {
      const post = await createPost(
        scopeOf(author),
        { body: "hello" },
        { firstFollowers: await graph.firstFollowers(author) },
      );
      made.push(post.id);
    }
    const feed = await articleFeed(scopeOf(reader), graph.audience, { limit: 10 });
    expect(ids(feed)).toEqual([...made].reverse());
    expect(feed.total).toBe(3);
    const skipped = await articleFeed(scopeOf(reader), graph.audience, { limit: 10, offset: 2 });
    expect(ids(skipped)).toEqual([made[0]]);
  });
});

describe("popular tags", () => {
  it("puts the most used tags first, the most recently used first among equals", async () => {
    const author = userId();
    const [common, older, newer] = [freshTag(), freshTag(), freshTag()];
    await write(author, "1", { tags: [common, older] });
    await write(author, "2", { tags: [common] });
    await write(author, "3", { tags: [newer] });
    const listed = await popularTags(scopeOf(), 100);
    const mine = listed.filter((tag) => [common, older, newer].includes(tag));
    expect(mine).toEqual([common, newer, older]);
  });

  it("drops a tag once no post carries it, whether retagged or deleted", async () => {
    const author = userId();
    const [kept, dropped] = [freshTag(), freshTag()];
    const post = await write(author, "tagged", { tags: [kept, dropped] });
    await updatePost(scopeOf(author), post.id, { tags: [kept] });
    expect(await popularTags(scopeOf(), 100)).toContain(kept);
    expect(await popularTags(scopeOf(), 100)).not.toContain(dropped);
    await deletePost(scopeOf(author), post.id);
    expect(await popularTags(scopeOf(), 100)).not.toContain(kept);
    expect(await failureCode(popularTags(scopeOf(), 0))).toBe("validation");
  });
});
