import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Event } from "@flock/contracts";
import {
  applyOnce,
  createDb,
  insertGroups,
  makeEvent,
  newId,
  QUERIES_PER_EVENT,
  runBatch,
  toResult,
} from "@flock/kit";
import { describe, expect, it } from "vitest";
import {
  CELEBRITY,
  celebrityWithFans,
  followGraph,
  outboxTypes,
  scopeOf,
  userId,
} from "../test/helpers";
import { likes, posts, postTags, processedEvents, timelineEntries } from "./db/schema";
import { applyEvent, REMOVAL_PAGE } from "./events";
import { ASYNC_FANOUT_PAGE } from "./fanout";
import worker from "./index";
import { like } from "./likes";
import { createPost, deletePost, getPost, type PostRow } from "./posts";
import { homeFeed } from "./timelines";

const db = () => createDb(env.DB);

async function apply(event: Event, graph = followGraph(), celebrityFollowers = 1000) {
  return applyOnce(
    {
      db: db(),
      processed: processedEvents,
      handle: async (e) => {
        const statements = await applyEvent(db(), e, {
          audience: graph.audience,
          celebrityFollowers,
        });
        // Every event's effect fits its batch within its share of D1's queries per invocation.
        expect(statements.length).toBeLessThan(QUERIES_PER_EVENT);
        return statements;
      },
    },
    event,
  );
}

/** Applies the follow-up events of a paged effect, as the posts inbox would, until none is left. */
async function continueAll(type: Event["type"], graph = followGraph(), celebrityFollowers = 1000) {
  let pages = 0;
  for (;;) {
    const { results } = await env.DB.prepare(
      "SELECT payload FROM outbox WHERE type = ? AND id NOT IN (SELECT id FROM processed_events)",
    )
      .bind(type)
      .all<{ payload: string }>();
    if (results.length === 0) return pages;
    for (const row of results)
      await apply(JSON.parse(row.payload) as Event, graph, celebrityFollowers);
    pages += results.length;
  }
}

/** The event a new post sends its own inbox, which fans it out. */
const postCreated = (postId: string, authorId: string) =>
  makeEvent("posts", { requestId: "test" }, "post.created", {
    postId,
    authorId,
    sharedPostId: null,
    sharedPostAuthorId: null,
    mentions: [],
  });

const count = async (query: string, ...values: string[]) =>
  (await env.DB.prepare(query)
    .bind(...values)
    .first<{ n: number }>("n")) ?? 0;

async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    "posts-inbox",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const feedOf = async (reader: string) =>
  (await homeFeed(scopeOf(reader), { limit: 100 })).items.map((post) => post.id);

describe("the posts inbox", () => {
  it("fans a post out to every follower beyond the synchronous first page", async () => {
    const graph = followGraph();
    const author = userId();
    const fans = Array.from({ length: 250 }, userId);
    for (const fan of fans) graph.follow(fan, author);
    const post = await createPost(
      scopeOf(author),
      { body: "for everyone" },
      { firstFollowers: await graph.firstFollowers(author) },
    );
    expect(await feedOf(fans[0] ?? "")).toEqual([]); // the oldest follower is not in the first page
    const created = postCreated(post.id, author);
    expect(await apply(created, graph)).toBe(true);
    for (const fan of [fans[0], fans[120], fans[249]])
      expect(await feedOf(fan ?? "")).toEqual([post.id]);
    expect(await apply(created, graph)).toBe(false);
  });

  it("fans a large following out a page per event, each page written in its event's batch", async () => {
    const graph = followGraph();
    const author = userId();
    const fans = Array.from({ length: ASYNC_FANOUT_PAGE * 2 + 500 }, userId);
    for (const fan of fans) graph.follow(fan, author);
    const post = await createPost(
      scopeOf(author),
      { body: "for thousands" },
      { firstFollowers: null },
    );
    const created = postCreated(post.id, author);
    const delivered = () =>
      count("SELECT count(*) AS n FROM timeline_entries WHERE post_id = ?", post.id);
    // The handler writes nothing itself: what it returns is the whole effect of the event.
    await applyEvent(db(), created, { audience: graph.audience, celebrityFollowers: 10_000 });
    expect(await delivered()).toBe(1); // the author's own entry, written with the post
    expect(await apply(created, graph, 10_000)).toBe(true);
    expect(await delivered()).toBe(1 + ASYNC_FANOUT_PAGE);
    expect(await continueAll("post.fanout_continued", graph, 10_000)).toBe(2);
    expect(await delivered()).toBe(1 + fans.length);
  });

  it("backfills recent posts on follow and removes them on unfollow", async () => {
    const [author, fan] = [userId(), userId()];
    const post = await createPost(scopeOf(author), { body: "earlier" }, { firstFollowers: null });
    await apply(
      makeEvent("users", { requestId: "test" }, "user.followed", {
        followerId: fan,
        followeeId: author,
      }),
    );
    expect(await feedOf(fan)).toEqual([post.id]);
    await apply(
      makeEvent("users", { requestId: "test" }, "user.unfollowed", {
        followerId: fan,
        followeeId: author,
      }),
    );
    expect(await feedOf(fan)).toEqual([]);
  });

  it("keeps no backfill of a follow that an unfollow applied first has overtaken", async () => {
    const [author, fan] = [userId(), userId()];
    const post = await createPost(scopeOf(author), { body: "earlier" }, { firstFollowers: null });
    const followed = makeEvent("users", { requestId: "test" }, "user.followed", {
      followerId: fan,
      followeeId: author,
    });
    const unfollowed = makeEvent("users", { requestId: "test" }, "user.unfollowed", {
      followerId: fan,
      followeeId: author,
    });
    await apply(unfollowed);
    await apply(followed);
    expect(await feedOf(fan)).toEqual([]);
    // A fan-out that read the follower list before the unfollow adds nothing either.
    await createPost(
      scopeOf(author),
      { body: "later" },
      { firstFollowers: { ids: [fan], total: 1 } },
    );
    expect(await feedOf(fan)).toEqual([]);

    await apply(
      makeEvent("users", { requestId: "test" }, "user.followed", {
        followerId: fan,
        followeeId: author,
      }),
    );
    expect((await feedOf(fan)).at(-1)).toEqual(post.id);
  });

  it("follows a pair as the users service committed it, not as the event ids sort", async () => {
    const author = userId();
    const post = await createPost(scopeOf(author), { body: "earlier" }, { firstFollowers: null });
    // Each fan's unfollow made its event first, then lost the race to commit to a follow (revision
    // 1), and committed after it (revision 2): users ends with no follow, though the follow's id
    // is the newer. Delivered either way round, in one queue batch or in two.
    for (const order of ["follow first", "unfollow first", "one batch"] as const) {
      const fan = userId();
      const unfollowed = makeEvent("users", { requestId: "test" }, "user.unfollowed", {
        followerId: fan,
        followeeId: author,
        revision: 2,
      });
      const followed = makeEvent("users", { requestId: "test" }, "user.followed", {
        followerId: fan,
        followeeId: author,
        revision: 1,
      });
      expect(unfollowed.id < followed.id).toBe(true);
      if (order === "one batch") await deliver([followed, unfollowed]);
      else if (order === "follow first") {
        await deliver([followed]);
        expect(await feedOf(fan)).toEqual([post.id]);
        await deliver([unfollowed]);
      } else for (const event of [unfollowed, followed]) await deliver([event]);
      expect(await feedOf(fan), order).toEqual([]);
      expect(
        await count(
          "SELECT count(*) AS n FROM follow_states WHERE follower_id = ? AND followee_id = ? AND following = 0 AND revision = 2",
          fan,
          author,
        ),
      ).toBe(1);
      // A fan-out that read the follower list before the unfollow committed adds nothing.
      const later = await createPost(
        scopeOf(author),
        { body: "later" },
        { firstFollowers: { ids: [fan], total: 1 } },
      );
      expect(await feedOf(fan)).toEqual([]);
      const stale = followGraph();
      stale.follow(fan, author);
      expect(await apply(postCreated(later.id, author), stale)).toBe(true);
      expect(await feedOf(fan)).toEqual([]);
    }
  });

  it("keeps the follow that committed last, though its event is the older", async () => {
    const author = userId();
    const post = await createPost(scopeOf(author), { body: "earlier" }, { firstFollowers: null });
    for (const order of ["follow first", "unfollow first"] as const) {
      const fan = userId();
      const followed = makeEvent("users", { requestId: "test" }, "user.followed", {
        followerId: fan,
        followeeId: author,
        revision: 3,
      });
      const unfollowed = makeEvent("users", { requestId: "test" }, "user.unfollowed", {
        followerId: fan,
        followeeId: author,
        revision: 2,
      });
      const events = order === "follow first" ? [followed, unfollowed] : [unfollowed, followed];
      for (const event of events) await deliver([event]);
      expect(await feedOf(fan), order).toEqual([post.id]);
    }
  });

  it("keeps the profile change that committed last, though its event is the older", async () => {
    const author = userId();
    const summary = (displayName: string, revision: number) =>
      makeEvent("users", { requestId: "test" }, "user.updated", {
        userId: author,
        handle: `author_${author.slice(-6).toLowerCase()}`,
        displayName,
        avatarUrl: null,
        revision,
      });
    const committedLast = summary("Newest", 2);
    const committedFirst = summary("Older", 1);
    await deliver([committedFirst]);
    await deliver([committedLast]);
    const name = () =>
      env.DB.prepare("SELECT display_name AS name FROM authors WHERE id = ?")
        .bind(author)
        .first<string>("name");
    expect(await name()).toBe("Newest");
    // Stale, though made later: nothing changes.
    await deliver([summary("Stale", 1)]);
    expect(await name()).toBe("Newest");
  });

  it("counts visible comments once however often their events arrive", async () => {
    const post = await createPost(scopeOf(userId()), { body: "discuss" }, { firstFollowers: null });
    const comment = (id: string, status: "visible" | "held") =>
      makeEvent("comments", { requestId: "test" }, "comment.created", {
        commentId: id,
        postId: post.id,
        postAuthorId: post.authorId,
        authorId: userId(),
        parentId: null,
        parentAuthorId: null,
        status,
        mentions: [],
      });
    const visible = comment("01JD0000000000000000000001", "visible");
    const result = await deliver([visible, visible, comment("01JD0000000000000000000002", "held")]);
    expect(result.explicitAcks).toEqual(["m0", "m1", "m2"]);
    expect((await getPost(scopeOf(), post.id)).commentCount).toBe(1);
    await deliver([
      makeEvent("comments", { requestId: "test" }, "comment.visibility_changed", {
        commentId: "01JD0000000000000000000002",
        postId: post.id,
        visible: true,
      }),
    ]);
    await deliver([
      makeEvent("comments", { requestId: "test" }, "comment.deleted", {
        commentId: "01JD0000000000000000000001",
        postId: post.id,
        authorId: userId(),
        wasVisible: true,
      }),
    ]);
    expect((await getPost(scopeOf(), post.id)).commentCount).toBe(1);
  });

  it("counts visible comments whatever order their events arrive in", async () => {
    const post = await createPost(scopeOf(userId()), { body: "discuss" }, { firstFollowers: null });
    const about = {
      postId: post.id,
      postAuthorId: post.authorId,
      parentId: null,
      parentAuthorId: null,
    };
    const created = (commentId: string, status: "visible" | "held") =>
      makeEvent("comments", { requestId: "test" }, "comment.created", {
        commentId,
        ...about,
        authorId: userId(),
        status,
        mentions: [],
      });
    const [gone, released, plain] = [newId(), newId(), newId()];
    const createdGone = created(gone, "visible");
    const createdReleased = created(released, "held");
    const release = makeEvent("comments", { requestId: "test" }, "comment.visibility_changed", {
      commentId: released,
      postId: post.id,
      visible: true,
    });
    const deletion = makeEvent("comments", { requestId: "test" }, "comment.deleted", {
      commentId: gone,
      postId: post.id,
      authorId: userId(),
      wasVisible: true,
    });
    // Each later event overtakes the one before it.
    for (const event of [
      deletion,
      createdGone,
      release,
      createdReleased,
      created(plain, "visible"),
    ])
      await apply(event);
    expect((await getPost(scopeOf(), post.id)).commentCount).toBe(2);
  });

  it("retries a malformed message instead of dropping it", async () => {
    const result = await deliver([{ type: "comment.created", data: {} }]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toEqual([]);
  });

  it("deletes an account's posts and likes, and announces each deleted post", async () => {
    const [leaving, other] = [userId(), userId()];
    const mine = await createPost(scopeOf(leaving), { body: "mine" }, { firstFollowers: null });
    const theirs = await createPost(scopeOf(other), { body: "theirs" }, { firstFollowers: null });
    const { like } = await import("./likes");
    await like(scopeOf(leaving), theirs.id);
    await deliver([makeEvent("users", { requestId: "test" }, "user.deleted", { userId: leaving })]);
    expect((await getPost(scopeOf(), theirs.id)).likeCount).toBe(0);
    // The posts go in the follow-up event, read once the tombstone refuses new ones.
    expect((await getPost(scopeOf(), mine.id)).id).toBe(mine.id);
    expect(await continueAll("user.posts_removal_continued")).toBe(1);
    await expect(getPost(scopeOf(), mine.id)).rejects.toMatchObject({ code: "not_found" });
    expect((await outboxTypes()).filter((type) => type === "post.deleted")).toHaveLength(1);
  });
});

describe("an account the posts service knows is deleted", () => {
  it("can neither post nor like, and gets no timeline rows or author copy back", async () => {
    const [leaving, author] = [userId(), userId()];
    const theirs = await createPost(scopeOf(author), { body: "theirs" }, { firstFollowers: null });
    await apply(makeEvent("users", { requestId: "test" }, "user.deleted", { userId: leaving }));

    const { like } = await import("./likes");
    for (const write of [
      () => createPost(scopeOf(leaving), { body: "too late" }, { firstFollowers: null }),
      () => like(scopeOf(leaving), theirs.id),
    ] as Array<() => Promise<unknown>>) {
      expect(await toResult("test", write)).toMatchObject({
        ok: false,
        error: { code: "unauthorized" },
      });
    }
    expect((await getPost(scopeOf(), theirs.id)).likeCount).toBe(0);

    // Late events: a follow's backfill, a fan-out, a profile update.
    await apply(
      makeEvent("users", { requestId: "test" }, "user.followed", {
        followerId: leaving,
        followeeId: author,
      }),
    );
    await createPost(
      scopeOf(author),
      { body: "new" },
      {
        firstFollowers: { ids: [leaving], total: 1 },
      },
    );
    await apply(
      makeEvent("users", { requestId: "test" }, "user.updated", {
        userId: leaving,
        handle: "ghost",
        displayName: "Ghost",
        avatarUrl: null,
      }),
    );
    expect(
      await count("SELECT count(*) AS n FROM timeline_entries WHERE user_id = ?", leaving),
    ).toBe(0);
    expect(await count("SELECT count(*) AS n FROM authors WHERE id = ?", leaving)).toBe(0);
    // The follow that raced the deletion leaves no follow state of the account, either way round.
    await apply(
      makeEvent("users", { requestId: "test" }, "user.followed", {
        followerId: author,
        followeeId: leaving,
      }),
    );
    expect(
      await count(
        "SELECT count(*) AS n FROM follow_states WHERE follower_id = ? OR followee_id = ?",
        leaving,
        leaving,
      ),
    ).toBe(0);
  });
});

describe("a post deleted while a write that read it is on its way", () => {
  it("takes no like, tag or timeline row", async () => {
    const [author, fan] = [userId(), userId()];
    const { id: postId } = await createPost(
      scopeOf(author),
      { body: "gone soon" },
      { firstFollowers: null },
    );
    await env.DB.prepare("DELETE FROM posts WHERE id = ?").bind(postId).run();
    // What a racing like, tag edit or fan-out would write after reading the post.
    const writes = [
      db().insert(likes).values({ postId, userId: fan, createdAt: "2026-12-01T00:00:00.000Z" }),
      db().insert(postTags).values({ postId, tag: "late" }),
    ];
    for (const write of writes)
      expect(await toResult("test", () => write.run())).toMatchObject({
        ok: false,
        error: { code: "not_found" },
      });
    await db().insert(timelineEntries).values({ userId: fan, postId, authorId: author });
    expect(
      await count(
        "SELECT count(*) AS n FROM timeline_entries WHERE post_id = ? AND user_id = ?",
        postId,
        fan,
      ),
    ).toBe(0);
    expect(await count("SELECT count(*) AS n FROM likes WHERE post_id = ?", postId)).toBe(0);
  });
});

describe("the deletion of a prolific account", () => {
  it("removes its posts a page per event and announces every one", async () => {
    const author = userId();
    const now = new Date().toISOString();
    const rows: PostRow[] = Array.from({ length: REMOVAL_PAGE * 2 + 50 }, () => ({
      id: userId(),
      authorId: author,
      body: "one of many",
      title: null,
      description: null,
      tags: [],
      media: [],
      sharedPostId: null,
      status: "visible",
      likeCount: 0,
      commentCount: 0,
      shareCount: 0,
      createdAt: now,
      updatedAt: now,
    }));
    await runBatch(
      db(),
      insertGroups(posts, rows).map((group) => db().insert(posts).values(group)),
    );
    const announced = () =>
      count(
        "SELECT count(*) AS n FROM outbox WHERE type = 'post.deleted' AND payload LIKE ?",
        `%${author}%`,
      );
    const left = () => count("SELECT count(*) AS n FROM posts WHERE author_id = ?", author);
    // Earlier tests leave follow-ups of their own: apply them first, so the pages counted are ours.
    await continueAll("user.posts_removal_continued");
    await apply(makeEvent("users", { requestId: "test" }, "user.deleted", { userId: author }));
    expect(await left()).toBe(rows.length);
    expect(await continueAll("user.posts_removal_continued")).toBe(3);
    expect(await left()).toBe(0);
    expect(await announced()).toBe(rows.length);
  });
});

describe("like revisions", () => {
  it("go with the liked post, with its author's posts and with the liker's account", async () => {
    const [fan, author, other, third] = [userId(), userId(), userId(), userId()];
    const post = (by: string) =>
      createPost(scopeOf(by), { body: "liked" }, { firstFollowers: null });
    const [kept, deleted, removed] = [await post(third), await post(other), await post(author)];
    const counted = async () =>
      (
        await env.DB.prepare(
          "SELECT post_id FROM like_revisions WHERE user_id = ? ORDER BY post_id",
        )
          .bind(fan)
          .all<{ post_id: string }>()
      ).results.map((row) => row.post_id);
    for (const post of [kept, deleted, removed]) await like(scopeOf(fan), post.id);
    await deletePost(scopeOf(other), deleted.id);
    await continueAll("user.posts_removal_continued");
    await apply(makeEvent("users", { requestId: "test" }, "user.deleted", { userId: author }));
    await continueAll("user.posts_removal_continued");
    expect(await counted()).toEqual([kept.id]);
    await apply(makeEvent("users", { requestId: "test" }, "user.deleted", { userId: fan }));
    expect(await counted()).toEqual([]);
  });
});

describe("the author replica", () => {
  it("keeps each author's newest profile, whatever order the events arrive in", async () => {
    const author = userId();
    const post = await createPost(
      scopeOf(author),
      { body: "who wrote this?" },
      { firstFollowers: null },
    );
    expect((await getPost(scopeOf(), post.id)).author).toBeNull();
    const profile = (displayName: string, occurredAt: string) => ({
      ...makeEvent("users", { requestId: "test" }, "user.updated", {
        userId: author,
        handle: "writer",
        displayName,
        avatarUrl: null,
      }),
      occurredAt,
    });
    await apply(profile("New name", "2026-11-22T10:00:00.000Z"));
    await apply(profile("Old name", "2026-11-22T09:00:00.000Z"));
    expect((await getPost(scopeOf(), post.id)).author).toEqual({
      id: author,
      handle: "writer",
      displayName: "New name",
      avatarUrl: null,
    });
    await apply(makeEvent("users", { requestId: "test" }, "user.deleted", { userId: author }));
    await continueAll("user.posts_removal_continued");
    await expect(getPost(scopeOf(), post.id)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("celebrity status", () => {
  it("stays between the demotion line and the threshold, goes below it, and leaves merged posts merged", async () => {
    const graph = followGraph();
    const { author, fans } = await celebrityWithFans(graph);
    const publish = async (body: string) =>
      createPost(scopeOf(author), { body }, { firstFollowers: await graph.firstFollowers(author) });
    const entries = (postId: string) =>
      count("SELECT count(*) AS n FROM timeline_entries WHERE post_id = ?", postId);
    const isCelebrity = () =>
      count("SELECT count(*) AS n FROM celebrities WHERE author_id = ?", author);
    const unfollow = async (fan: string) => {
      graph.unfollow(fan, author);
      const event = makeEvent("users", { requestId: "test" }, "user.unfollowed", {
        followerId: fan,
        followeeId: author,
      });
      expect(await apply(event, graph, CELEBRITY)).toBe(true);
    };
    const [reader, , , fourth, fifth] = fans;

    const famous = await publish("famous");
    expect(await entries(famous.id)).toBe(1); // the author's own entry: followers get it merged
    expect(await isCelebrity()).toBe(1);
    // Four of five followers left: between the lines, so still a celebrity.
    await unfollow(fifth ?? "");
    expect(await isCelebrity()).toBe(1);
    const hovering = await publish("hovering");
    expect(await entries(hovering.id)).toBe(1);
    // Three left: below the demotion line (90% of the threshold), so fanned out again.
    await unfollow(fourth ?? "");
    expect(await isCelebrity()).toBe(0);
    const ordinary = await publish("ordinary");
    expect(await entries(ordinary.id)).toBe(1 + 3);
    // The posts written while a celebrity were never fanned out: the merge still brings them.
    expect(await feedOf(reader ?? "")).toEqual([ordinary.id, hovering.id, famous.id]);
    expect(await feedOf(fifth ?? "")).toEqual([]);
  });
});
