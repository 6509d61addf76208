import { describe, expect, it } from "vitest";
import { CELEBRITY, failureCode, followGraph, scopeOf, userId } from "../test/helpers";
import { createPost, sharePost } from "./posts";
import { homeFeed, homeFeedByOffset } from "./timelines";

const ids = (page: { items: Array<{ id: string }> }) => page.items.map((post) => post.id);

/** Posts as the entrypoint writes them: fanned out at once to the author's first followers. */
function writer(graph: ReturnType<typeof followGraph>) {
  return {
    post: async (author: string, body: string) =>
      createPost(scopeOf(author), { body }, { firstFollowers: await graph.firstFollowers(author) }),
    share: async (author: string, postId: string) =>
      sharePost(
        scopeOf(author),
        postId,
        {},
        { firstFollowers: await graph.firstFollowers(author) },
      ),
  };
}

const othersOriginals = { originalsOnly: true, followedOnly: true };

describe("the home feed by position", () => {
  it("holds the reader's own posts and shares and those they follow, with the total", async () => {
    const graph = followGraph();
    const { post, share } = writer(graph);
    const [reader, author, stranger] = [userId(), userId(), userId()];
    graph.follow(reader, author);
    const first = await post(author, "one");
    const mine = await post(reader, "mine");
    await post(stranger, "not followed");
    const shared = await share(author, first.id);
    const feed = await homeFeedByOffset(scopeOf(reader), {});
    expect(ids(feed)).toEqual([shared.id, mine.id, first.id]);
    expect(feed.total).toBe(3);
    const cursorPage = await homeFeed(scopeOf(reader), { limit: 20 });
    expect(ids(cursorPage)).toEqual(ids(feed));
  });

  it("counts a followed author's new originals at once, without the reader's own posts or shares", async () => {
    const graph = followGraph();
    const { post, share } = writer(graph);
    const [reader, author, stranger] = [userId(), userId(), userId()];
    graph.follow(reader, author);
    expect(await homeFeedByOffset(scopeOf(reader), othersOriginals)).toEqual({
      items: [],
      total: 0,
    });
    const first = await post(author, "one");
    const second = await post(author, "two");
    await post(reader, "mine");
    await post(stranger, "not followed");
    await share(author, first.id);
    const filtered = { ...othersOriginals, limit: 1 };
    const page = await homeFeedByOffset(scopeOf(reader), filtered);
    expect(ids(page)).toEqual([second.id]);
    expect(page.total).toBe(2);
    const next = await homeFeedByOffset(scopeOf(reader), {
      ...filtered,
      offset: 1,
    });
    expect(ids(next)).toEqual([first.id]);
    const cursorPage = await homeFeed(scopeOf(reader), {
      ...othersOriginals,
      limit: 20,
    });
    expect(ids(cursorPage)).toEqual([second.id, first.id]);
    expect(await failureCode(homeFeedByOffset(scopeOf(null), {}))).toBe("unauthorized");
    expect(await failureCode(homeFeedByOffset(scopeOf(reader), { offset: -1 }))).toBe("validation");
  });

  it("merges in the posts of very followed authors, which are not fanned out, at any position", async () => {
    const graph = followGraph();
    const { post, share } = writer(graph);
    const [reader, celebrity, friend] = [userId(), userId(), userId()];
    for (let i = 0; i < CELEBRITY; i++) graph.follow(i === 0 ? reader : userId(), celebrity);
    graph.follow(reader, friend);
    await graph.deliverFollowEvents();
    const made: string[] = [];
    for (const author of [celebrity, friend, celebrity, friend])
      made.push((await post(author, "hi")).id);
    const celebrityShare = await share(celebrity, made[1] ?? "");
    const newestFirst = [...made].reverse();

    const originals = await homeFeedByOffset(scopeOf(reader), othersOriginals);
    expect(ids(originals)).toEqual(newestFirst);
    expect(originals.total).toBe(4);
    // Page by page, the two sources interleave as they were written.
    const oneByOne: string[] = [];
    for (let offset = 0; offset < 4; offset++) {
      const page = await homeFeedByOffset(scopeOf(reader), {
        ...othersOriginals,
        limit: 1,
        offset,
      });
      oneByOne.push(...ids(page));
    }
    expect(oneByOne).toEqual(newestFirst);

    const everything = await homeFeedByOffset(scopeOf(reader), { offset: 1 });
    expect(ids(everything)).toEqual(newestFirst);
    expect(everything.total).toBe(5);
    const cursorPage = await homeFeed(scopeOf(reader), { limit: 2 });
    expect(ids(cursorPage)).toEqual([celebrityShare.id, made[3]]);
  });
});
