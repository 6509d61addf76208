import { describe, expect, it } from "vitest";
import { failureCode, scopeOf, userId } from "../test/helpers";
import { like } from "./likes";
import { listPosts, popularTags } from "./listings";
import { createPost, deletePost, sharePost, updatePost } from "./posts";

const write = (author: string, body: string, extra: { tags?: string[]; title?: string } = {}) =>
  createPost(scopeOf(author), { body, ...extra }, { firstFollowers: null });

const ids = (page: { items: Array<{ id: string }> }) => page.items.map((post) => post.id);

/** A tag no other test uses, so counts and lists are this test's own. */
let tagCounter = 0;
const freshTag = () => `t${++tagCounter}_${userId().slice(-8).toLowerCase()}`;

describe("post listings", () => {
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

  it("lists an author's originals newest first by position, with the total, leaving shares out", async () => {
    const [author, other] = [userId(), userId()];
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await write(author, `post ${i}`)).id);
    const share = await sharePost(
      scopeOf(author),
      (await write(other, "theirs")).id,
      {},
      { firstFollowers: null },
    );
    const originals = { authorId: author, originalsOnly: true };
    const first = await listPosts(scopeOf(), { ...originals, limit: 2, offset: 0 });
    expect(ids(first)).toEqual([made[2], made[1]]);
    expect(first.total).toBe(3);
    const second = await listPosts(scopeOf(), { ...originals, limit: 2, offset: 2 });
    expect(ids(second)).toEqual([made[0]]);
    expect(second.total).toBe(3);
    const everyone = await listPosts(scopeOf(), { originalsOnly: true, limit: 100, offset: 0 });
    expect(everyone.items.every((post) => post.sharedPostId === null)).toBe(true);
    expect(ids(everyone)).toEqual(expect.arrayContaining(made));
    const withShares = await listPosts(scopeOf(), { authorId: author, limit: 2 });
    expect(ids(withShares)).toEqual([share.id, made[2]]);
    expect(withShares.total).toBe(4);
    const all = await listPosts(scopeOf(), { limit: 100 });
    expect(ids(all)).toEqual(expect.arrayContaining([...made, share.id]));
  });

  it("narrows by tag, by liker and by author, alone and together", async () => {
    const [alice, bob, fan] = [userId(), userId(), userId()];
    const tag = freshTag();
    const aliceTagged = await write(alice, "a1", { tags: [tag] });
    const bobTagged = await write(bob, "b1", { tags: [tag.toUpperCase()] });
    const aliceUntagged = await write(alice, "a2");
    await like(scopeOf(fan), aliceTagged.id);
    await like(scopeOf(fan), aliceUntagged.id);
    const list = (query: Parameters<typeof listPosts>[1]) =>
      listPosts(scopeOf(fan), { limit: 20, offset: 0, originalsOnly: true, ...query });

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

  it("rejects a limit, an offset or an author id out of range", async () => {
    expect(await failureCode(listPosts(scopeOf(), { limit: 0, offset: 0 }))).toBe("validation");
    expect(await failureCode(listPosts(scopeOf(), { limit: 10, offset: 10_001 }))).toBe(
      "validation",
    );
    expect(await failureCode(listPosts(scopeOf(), { authorId: "nope" }))).toBe("validation");
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
