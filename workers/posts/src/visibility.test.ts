import { env } from "cloudflare:workers";
import type { Event } from "@flock/contracts";
import { createDb, makeEvent, runBatch, toResult } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { followGraph, scopeOf, userId } from "../test/helpers";
import { applyEvent } from "./events";
import { like } from "./likes";
import { listPosts } from "./listings";
import { createPost, getPost, sharePost } from "./posts";
import { homeFeed, publicTimeline, userTimeline } from "./timelines";

const ids = (page: { items: Array<{ id: string }> }) => page.items.map((post) => post.id);

async function apply(event: Event, graph = followGraph()) {
  const db = createDb(env.DB);
  await runBatch(
    db,
    await applyEvent(db, event, { audience: graph.audience, celebrityFollowers: 1000 }),
  );
}

const blocked = (blockerId: string, blockedId: string) =>
  makeEvent("users", { requestId: "test" }, "user.blocked", { blockerId, blockedId });
const unblocked = (blockerId: string, blockedId: string) =>
  makeEvent("users", { requestId: "test" }, "user.unblocked", { blockerId, blockedId });
const muted = (muterId: string, mutedId: string) =>
  makeEvent("users", { requestId: "test" }, "user.muted", { muterId, mutedId });

/** A reader following an author and a friend, each with a post already in the reader's feed. */
async function world() {
  const graph = followGraph();
  const [reader, author, friend] = [userId(), userId(), userId()];
  graph.follow(reader, author);
  graph.follow(reader, friend);
  const write = async (who: string, body: string, tags?: string[]) =>
    createPost(scopeOf(who), { body, tags }, { firstFollowers: await graph.firstFollowers(who) });
  const post = await write(author, "by the author", ["hidden_tag"]);
  const own = await write(friend, "by a friend");
  const share = await sharePost(
    scopeOf(friend),
    post.id,
    {},
    {
      firstFollowers: await graph.firstFollowers(friend),
    },
  );
  return { graph, reader, author, friend, post, own, share };
}

describe("blocks in the posts service", () => {
  it("hide the other side's posts, and shares of them, everywhere and both ways", async () => {
    const { reader, author, post, own, share } = await world();
    expect(ids(await homeFeed(scopeOf(reader), { limit: 20 }))).toEqual([
      share.id,
      own.id,
      post.id,
    ]);
    await apply(blocked(author, reader));

    for (const viewer of [reader, author]) {
      const other = viewer === reader ? author : reader;
      const timeline = await userTimeline(scopeOf(viewer), other, { limit: 20 });
      expect(timeline.items.every((item) => item.authorId !== other)).toBe(true);
    }
    expect(ids(await homeFeed(scopeOf(reader), { limit: 20 }))).toEqual([own.id]);
    expect(ids(await userTimeline(scopeOf(reader), author, { limit: 20 }))).toEqual([]);
    const everyone = ids(await publicTimeline(scopeOf(reader), undefined, { limit: 100 }));
    expect(everyone).toContain(own.id);
    expect(everyone).not.toContain(post.id);
    expect(everyone).not.toContain(share.id);
    expect(ids(await publicTimeline(scopeOf(reader), "hidden_tag", { limit: 20 }))).toEqual([]);
    expect(
      ids(await listPosts(scopeOf(reader), { authorId: author, limit: 20, offset: 0 })),
    ).toEqual([]);
    expect((await toResult("t", () => getPost(scopeOf(reader), post.id))).ok).toBe(false);
    expect((await toResult("t", () => getPost(scopeOf(reader), share.id))).ok).toBe(false);
    // The blocker does not see the blocked account's posts either.
    const readers = await createPost(
      scopeOf(reader),
      { body: "by the reader" },
      { firstFollowers: null },
    );
    expect((await toResult("t", () => getPost(scopeOf(author), readers.id))).ok).toBe(false);
    // Signed out, or as a third account, nothing is hidden.
    expect((await getPost(scopeOf(), post.id)).id).toBe(post.id);
    expect(ids(await userTimeline(scopeOf(userId()), author, { limit: 20 }))).toEqual([post.id]);
  });

  it("refuses a like or a share across a block, either way, with a 403", async () => {
    const { reader, author, post } = await world();
    const readers = await createPost(scopeOf(reader), { body: "mine" }, { firstFollowers: null });
    await apply(blocked(author, reader));
    const refused = async (operation: () => Promise<unknown>) => {
      const result = await toResult("t", operation);
      return result.ok ? null : result.error.code;
    };
    expect(await refused(() => like(scopeOf(reader), post.id))).toBe("forbidden");
    expect(await refused(() => like(scopeOf(author), readers.id))).toBe("forbidden");
    expect(
      await refused(() => sharePost(scopeOf(reader), post.id, {}, { firstFollowers: null })),
    ).toBe("forbidden");
    expect(
      await refused(() => sharePost(scopeOf(author), readers.id, {}, { firstFollowers: null })),
    ).toBe("forbidden");
    expect(await refused(() => like(scopeOf(userId()), post.id))).toBeNull();
  });

  it("hides a post whose fan-out lands after the block", async () => {
    const graph = followGraph();
    const [reader, author] = [userId(), userId()];
    graph.follow(reader, author);
    // The users service did not answer at write time: the post is fanned out from the inbox later.
    const post = await createPost(scopeOf(author), { body: "in flight" }, { firstFollowers: null });
    await apply(blocked(reader, author));
    await apply(
      makeEvent("posts", { requestId: "test" }, "post.created", {
        postId: post.id,
        authorId: author,
        sharedPostId: null,
        sharedPostAuthorId: null,
        mentions: [],
      }),
      graph,
    );
    const { results } = await env.DB.prepare(
      "SELECT post_id FROM timeline_entries WHERE user_id = ?",
    )
      .bind(reader)
      .all();
    expect(results).toHaveLength(1);
    expect(ids(await homeFeed(scopeOf(reader), { limit: 20 }))).toEqual([]);
  });

  it("keeps the newer word when a block and its unblock arrive out of order", async () => {
    const { reader, author, post } = await world();
    const first = blocked(author, reader);
    const second = unblocked(author, reader);
    await apply(second);
    await apply(first);
    expect(ids(await homeFeed(scopeOf(reader), { limit: 20 }))).toContain(post.id);
  });
});

describe("mutes in the posts service", () => {
  it("hide the muted account's posts and shares from the muter's home feed only", async () => {
    const { reader, author, friend, post, own, share } = await world();
    await apply(muted(reader, friend));
    expect(ids(await homeFeed(scopeOf(reader), { limit: 20 }))).toEqual([post.id]);
    expect(ids(await userTimeline(scopeOf(reader), friend, { limit: 20 }))).toEqual([
      share.id,
      own.id,
    ]);
    await apply(muted(reader, author));
    expect(ids(await homeFeed(scopeOf(reader), { limit: 20 }))).toEqual([]);
    expect((await getPost(scopeOf(reader), post.id)).id).toBe(post.id);
    expect(ids(await homeFeed(scopeOf(author), { limit: 20 }))).toEqual([post.id]);
  });
});
