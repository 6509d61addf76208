import { env } from "cloudflare:workers";
import { type Event, inboxesFor } from "@flock/contracts";
import { toResult } from "@flock/kit";
import { gate, heldAtCommit } from "@flock/testing/race";
import { describe, expect, it } from "vitest";
import {
  CELEBRITY,
  celebrityWithFans,
  failureCode,
  followGraph,
  outboxEvents,
  outboxTypes,
  scopeOf,
  userId,
} from "../test/helpers";
import { like, unlike } from "./likes";
import {
  createPost,
  deletePost,
  findByIdempotencyKey,
  getPost,
  sharePost,
  updatePost,
} from "./posts";
import { homeFeed, publicTimeline, userTimeline } from "./timelines";

const revisionOf = (event: Event | undefined) =>
  event && "revision" in event.data ? event.data.revision : undefined;

const feedIds = async (reader: string) =>
  (await homeFeed(scopeOf(reader), { limit: 100 })).items.map((post) => post.id);

const mentioning = (count: number) =>
  Array.from({ length: count }, (_, i) => `@user_${i}`).join(" ");

/** The fields a refused operation names. */
async function refusedFields(operation: Promise<unknown>) {
  const error = await operation.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toMatchObject({ code: "validation" });
  return (error as { errors?: Array<{ path: string }> }).errors?.map((field) => field.path);
}

describe("posts", () => {
  it("refuses a post, share or edit that mentions more than 50 distinct accounts", async () => {
    const author = userId();
    const publish = { firstFollowers: null };
    // Fifty distinct handles, each named twice, is fifty mentions.
    const fifty = await createPost(
      scopeOf(author),
      { body: `${mentioning(50)} ${mentioning(50)}` },
      publish,
    );
    expect(
      await refusedFields(createPost(scopeOf(author), { body: mentioning(51) }, publish)),
    ).toEqual(["body"]);
    expect(
      await refusedFields(sharePost(scopeOf(author), fifty.id, { body: mentioning(51) }, publish)),
    ).toEqual(["body"]);
    expect(
      await refusedFields(updatePost(scopeOf(author), fifty.id, { body: mentioning(51) })),
    ).toEqual(["body"]);
    // Fifty mentions are allowed, and held by the moderation rules (more than five): its author reads it.
    expect((await getPost(scopeOf(author), fifty.id)).body).toBe(
      `${mentioning(50)} ${mentioning(50)}`,
    );
  });

  it("creates a post with tags and records post.created with its mentions", async () => {
    const author = userId();
    const post = await createPost(
      scopeOf(author),
      { body: "hello @Bob and @carol", title: "Hi", tags: ["Intro", "intro", "news"] },
      { firstFollowers: null },
    );
    expect(post).toMatchObject({
      authorId: author,
      title: "Hi",
      tags: ["intro", "news"],
      likeCount: 0,
      sharedPost: null,
      viewer: { liked: false, shared: false },
    });
    const { results } = await scopeOf()
      .db.$client.prepare(
        "SELECT payload FROM outbox WHERE type = 'post.created' AND payload LIKE ?",
      )
      .bind(`%${post.id}%`)
      .all<{ payload: string }>();
    expect(results.map((row) => JSON.parse(row.payload).data)).toEqual([
      {
        postId: post.id,
        authorId: author,
        sharedPostId: null,
        sharedPostAuthorId: null,
        mentions: ["bob", "carol"],
        fannedOut: false,
        hasMedia: false,
      },
    ]);
  });

  it("sends post.created only to the inboxes it leaves work for", async () => {
    const author = userId();
    const fan = userId();
    const created = async (
      body: string,
      firstFollowers: { ids: string[]; total: number } | null,
    ) => {
      const post = await createPost(scopeOf(author), { body }, { firstFollowers });
      const row = await scopeOf()
        .db.$client.prepare(
          "SELECT payload FROM outbox WHERE type = 'post.created' AND payload LIKE ?",
        )
        .bind(`%${post.id}%`)
        .first<{ payload: string }>();
      return inboxesFor(JSON.parse(row?.payload ?? "null"));
    };
    // Every follower has it from the request, and it notifies no one: only the post counts (users).
    // Every post is indexed for search; none of these has images, so the media inbox gets none.
    expect(await created("all fanned out", { ids: [fan], total: 1 })).toEqual(["users", "search"]);
    expect(await created("hello @bob", { ids: [fan], total: 1 })).toEqual([
      "users",
      "notifications",
      "search",
    ]);
    // Followers beyond the first page, or none known (users did not answer): the posts inbox fans out.
    expect(await created("more to go", { ids: [fan], total: 2 })).toEqual([
      "posts",
      "users",
      "search",
    ]);
    expect(await created("users down", null)).toEqual(["posts", "users", "search"]);
  });

  it("puts a new post in the author's feed and the first followers' feeds at once, not in others'", async () => {
    const graph = followGraph();
    const [author, fan, stranger] = [userId(), userId(), userId()];
    graph.follow(fan, author);
    const post = await createPost(
      scopeOf(author),
      { body: "fresh" },
      { firstFollowers: await graph.firstFollowers(author) },
    );
    expect(await feedIds(author)).toEqual([post.id]);
    expect(await feedIds(fan)).toEqual([post.id]);
    expect(await feedIds(stranger)).toEqual([]);
  });

  it("merges a celebrity's posts into followers' feeds at read time instead of fanning out", async () => {
    const graph = followGraph();
    const { author: celebrity, fans } = await celebrityWithFans(graph);
    const post = await createPost(
      scopeOf(celebrity),
      { body: "to the many" },
      { firstFollowers: await graph.firstFollowers(celebrity) },
    );
    const { results } = await scopeOf()
      .db.$client.prepare("SELECT count(*) AS n FROM timeline_entries WHERE post_id = ?")
      .bind(post.id)
      .all<{ n: number }>();
    expect(results[0]?.n).toBe(1); // the author's own entry only
    expect(await feedIds(fans[0] ?? "")).toEqual([post.id]);
    for (const fan of fans) expect(await feedIds(fan)).toEqual([post.id]);
  });

  it("returns the first post when a create is retried with the same Idempotency-Key", async () => {
    const author = userId();
    const first = await createPost(
      scopeOf(author),
      { body: "once" },
      { idempotencyKey: "key-1", firstFollowers: null },
    );
    const replay = await findByIdempotencyKey(scopeOf(author), "key-1");
    expect(replay?.id).toBe(first.id);
    const raced = await createPost(
      scopeOf(author),
      { body: "once" },
      { idempotencyKey: "key-1", firstFollowers: null },
    );
    expect(raced.id).toBe(first.id);
    expect((await userTimeline(scopeOf(), author, { limit: 10 })).items).toHaveLength(1);
    expect(await findByIdempotencyKey(scopeOf(userId()), "key-1")).toBeNull();
  });

  it("refuses to reuse the Idempotency-Key of a post deleted since, rather than make a second post", async () => {
    const author = userId();
    const first = await createPost(
      scopeOf(author),
      { body: "short-lived" },
      { idempotencyKey: "key-2", firstFollowers: null },
    );
    await deletePost(scopeOf(author), first.id);
    expect(await failureCode(findByIdempotencyKey(scopeOf(author), "key-2"))).toBe("conflict");
    expect(
      await failureCode(
        createPost(
          scopeOf(author),
          { body: "again" },
          { idempotencyKey: "key-2", firstFollowers: null },
        ),
      ),
    ).toBe("conflict");
  });

  it("lets only the author edit or delete, and a deleted post leaves every feed at once", async () => {
    const graph = followGraph();
    const [author, fan] = [userId(), userId()];
    graph.follow(fan, author);
    const post = await createPost(
      scopeOf(author),
      { body: "v1", tags: ["a"] },
      { firstFollowers: await graph.firstFollowers(author) },
    );
    expect(await failureCode(updatePost(scopeOf(fan), post.id, { body: "hacked" }))).toBe(
      "forbidden",
    );
    expect(await failureCode(deletePost(scopeOf(fan), post.id))).toBe("forbidden");
    const edited = await updatePost(scopeOf(author), post.id, {
      body: "v2",
      title: "T",
      tags: ["b"],
    });
    expect(edited).toMatchObject({ body: "v2", title: "T", tags: ["b"] });
    expect((await publicTimeline(scopeOf(), "a", { limit: 10 })).items).toEqual([]);
    expect((await publicTimeline(scopeOf(), "b", { limit: 10 })).items.map((p) => p.id)).toEqual([
      post.id,
    ]);
    await deletePost(scopeOf(author), post.id);
    expect(await failureCode(getPost(scopeOf(), post.id))).toBe("not_found");
    expect(await feedIds(fan)).toEqual([]);
    expect(await outboxTypes()).toContain("post.deleted");
  });

  it("likes idempotently with counts and the viewer's state", async () => {
    const [author, fan] = [userId(), userId()];
    const post = await createPost(scopeOf(author), { body: "like me" }, { firstFollowers: null });
    expect(await like(scopeOf(fan), post.id)).toEqual({ liked: true, likeCount: 1 });
    expect(await like(scopeOf(fan), post.id)).toEqual({ liked: true, likeCount: 1 });
    expect((await getPost(scopeOf(fan), post.id)).viewer).toEqual({ liked: true, shared: false });
    expect((await outboxTypes()).filter((type) => type === "post.liked")).toHaveLength(1);
    expect(await unlike(scopeOf(fan), post.id)).toEqual({ liked: false, likeCount: 0 });
    expect(await unlike(scopeOf(fan), post.id)).toEqual({ liked: false, likeCount: 0 });
    expect(await failureCode(like(scopeOf(fan), "01JD0000000000000000000000"))).toBe("not_found");
    expect(await failureCode(like(scopeOf(null), post.id))).toBe("unauthorized");
  });

  it("numbers a like's changes in commit order, whatever order their events were made in", async () => {
    const [author, fan] = [userId(), userId()];
    const post = await createPost(scopeOf(author), { body: "racing" }, { firstFollowers: null });
    // The unlike makes its event first but commits after the like that overtakes it.
    const { open, release } = gate();
    const held = heldAtCommit(scopeOf(fan), open);
    const unliking = unlike(held.scope, post.id);
    await held.reached;
    await like(scopeOf(fan), post.id);
    release();
    await unliking;

    expect((await getPost(scopeOf(fan), post.id)).viewer?.liked).toBe(false);
    const liked = await outboxEvents("post.liked", post.id);
    const unliked = await outboxEvents("post.unliked", post.id);
    // Ids say the unlike is older; the revisions say it committed last, and so it stands.
    expect(String(unliked[0]?.id) < String(liked[0]?.id)).toBe(true);
    expect([...liked, ...unliked].map(revisionOf)).toEqual([1, 2]);
  });

  it("refuses a like that lands after its post was deleted, and keeps no like of it", async () => {
    const [author, fan] = [userId(), userId()];
    const post = await createPost(scopeOf(author), { body: "going" }, { firstFollowers: null });
    await deletePost(scopeOf(author), post.id);
    // The like read the post before the deletion; its write comes after. The database refuses it.
    const write = env.DB.prepare(
      "INSERT INTO likes (post_id, user_id, created_at) VALUES (?, ?, ?)",
    ).bind(post.id, fan, new Date().toISOString());
    expect(await toResult("test", () => write.run())).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM likes WHERE post_id = ?")
        .bind(post.id)
        .first("n"),
    ).toBe(0);
  });

  it("shares embed the original; a share of a share shares the original", async () => {
    const [author, sharer, second] = [userId(), userId(), userId()];
    const post = await createPost(scopeOf(author), { body: "original" }, { firstFollowers: null });
    const share = await sharePost(
      scopeOf(sharer),
      post.id,
      { body: "look" },
      { firstFollowers: null },
    );
    expect(share.sharedPost).toMatchObject({ id: post.id, body: "original" });
    const again = await sharePost(scopeOf(second), share.id, {}, { firstFollowers: null });
    expect(again.sharedPostId).toBe(post.id);
    const seen = await getPost(scopeOf(sharer), post.id);
    expect(seen).toMatchObject({ shareCount: 2, viewer: { shared: true } });
    await deletePost(scopeOf(author), post.id);
    expect((await getPost(scopeOf(), share.id)).sharedPost).toBeNull();
  });

  it("pages every timeline so that each post is seen exactly once", async () => {
    const graph = followGraph();
    const reader = userId();
    const celebrity = userId();
    for (let i = 0; i < CELEBRITY; i++) graph.follow(i === 0 ? reader : userId(), celebrity);
    const friend = userId();
    graph.follow(reader, friend);
    await graph.deliverFollowEvents();
    const made: string[] = [];
    for (let i = 0; i < 9; i++) {
      const author = i % 3 === 0 ? celebrity : friend;
      made.push(
        (
          await createPost(
            scopeOf(author),
            { body: `post ${i}`, tags: ["t"] },
            { firstFollowers: await graph.firstFollowers(author) },
          )
        ).id,
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await homeFeed(scopeOf(reader), { limit: 4, cursor });
      seen.push(...page.items.map((post) => post.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());

    const tagged: string[] = [];
    cursor = undefined;
    do {
      const page = await publicTimeline(scopeOf(), "t", { limit: 2, cursor });
      tagged.push(...page.items.map((post) => post.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(tagged).toEqual([...made].reverse());
  });

  it("rejects invalid posts with one entry per field", async () => {
    try {
      await createPost(
        scopeOf(userId()),
        { body: "  ", tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
        { firstFollowers: null },
      );
      expect.unreachable();
    } catch (error) {
      const { code, errors } = error as { code: string; errors: Array<{ path: string }> };
      expect(code).toBe("validation");
      expect(errors.map((entry) => entry.path).sort()).toEqual(["body", "tags"]);
    }
  });
});
