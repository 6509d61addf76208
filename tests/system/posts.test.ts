import { describe, expect, it } from "vitest";
import { eventually, type Reply, type User } from "./client";
import { useFlock } from "./harness";
import { establish } from "./roles";

const flock = useFlock();

const ids = (reply: Reply) => reply.body.items.map((item: { id: string }) => item.id);

async function post(
  author: User,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const reply = await flock.api.request("POST", "/v1/posts", {
    token: author.token,
    body,
    headers,
  });
  expect(reply.status).toBe(201);
  return reply.body;
}

async function notificationTypes(user: User): Promise<string[]> {
  const reply = await flock.api.get("/v1/notifications", user.token);
  expect(reply.status).toBe(200);
  return reply.body.items.map((item: { type: string }) => item.type);
}

describe("posts and feeds", () => {
  it("puts a post in the author's and followers' feeds at once, and in no one else's", async () => {
    const [author, fan, stranger] = [
      await flock.api.signUp("author"),
      await flock.api.signUp("fan"),
      await flock.api.signUp("stranger"),
    ];
    await flock.api.put(`/v1/users/${author.handle}/follow`, fan.token);
    const created = await post(author, { body: "hello world", title: "Hi", tags: ["intro"] });
    expect(created).toMatchObject({
      author: { handle: author.handle },
      title: "Hi",
      tags: ["intro"],
      likeCount: 0,
    });
    expect(ids(await flock.api.get("/v1/feed", author.token))).toEqual([created.id]);
    expect(ids(await flock.api.get("/v1/feed", fan.token))).toEqual([created.id]);
    expect(ids(await flock.api.get("/v1/feed", stranger.token))).toEqual([]);
    expect(ids(await flock.api.get(`/v1/users/${author.handle}/posts`))).toEqual([created.id]);
    expect(ids(await flock.api.get("/v1/posts?tag=intro"))).toContain(created.id);
    await eventually(async () =>
      expect((await flock.api.get(`/v1/users/${author.handle}`)).body.postCount).toBe(1),
    );
  });

  it("backfills the feed on follow and empties it on unfollow", async () => {
    const [author, fan] = [await flock.api.signUp("author"), await flock.api.signUp("fan")];
    const older = await post(author, { body: "from before" });
    await flock.api.put(`/v1/users/${author.handle}/follow`, fan.token);
    await eventually(async () =>
      expect(ids(await flock.api.get("/v1/feed", fan.token))).toEqual([older.id]),
    );
    await flock.api.del(`/v1/users/${author.handle}/follow`, fan.token);
    await eventually(async () =>
      expect(ids(await flock.api.get("/v1/feed", fan.token))).toEqual([]),
    );
  });

  it("lets only the author edit or delete a post", async () => {
    const [author, other] = [await flock.api.signUp("author"), await flock.api.signUp("other")];
    const created = await post(author, { body: "mine" });
    expect(
      (await flock.api.patch(`/v1/posts/${created.id}`, { body: "theirs" }, other.token)).status,
    ).toBe(403);
    expect((await flock.api.del(`/v1/posts/${created.id}`, other.token)).status).toBe(403);
    expect((await flock.api.patch(`/v1/posts/${created.id}`, { body: "still mine" })).status).toBe(
      401,
    );
    const edited = await flock.api.patch(
      `/v1/posts/${created.id}`,
      { body: "edited" },
      author.token,
    );
    expect(edited.body.body).toBe("edited");
  });

  it("answers a repeated POST with the same Idempotency-Key with the first post", async () => {
    const author = await flock.api.signUp("author");
    const first = await post(author, { body: "exactly once" }, { "idempotency-key": "create-1" });
    const again = await post(author, { body: "exactly once" }, { "idempotency-key": "create-1" });
    expect(again.id).toBe(first.id);
    expect(ids(await flock.api.get(`/v1/users/${author.handle}/posts`))).toEqual([first.id]);
  });

  it("likes idempotently and shows the viewer's like", async () => {
    const [author, fan] = [await flock.api.signUp("author"), await flock.api.signUp("fan")];
    const created = await post(author, { body: "like me" });
    for (let i = 0; i < 2; i++) {
      expect((await flock.api.put(`/v1/posts/${created.id}/like`, fan.token)).body).toEqual({
        liked: true,
        likeCount: 1,
      });
    }
    expect((await flock.api.get(`/v1/posts/${created.id}`, fan.token)).body.viewer).toEqual({
      liked: true,
      shared: false,
    });
    expect((await flock.api.get(`/v1/posts/${created.id}`)).body).not.toHaveProperty("viewer");
    expect((await flock.api.del(`/v1/posts/${created.id}/like`, fan.token)).body).toEqual({
      liked: false,
      likeCount: 0,
    });
  });

  it("shares a post by embedding it", async () => {
    const [author, sharer] = [await flock.api.signUp("author"), await flock.api.signUp("sharer")];
    const original = await post(author, { body: "worth sharing" });
    const share = await flock.api.post(
      `/v1/posts/${original.id}/shares`,
      { body: "look" },
      sharer.token,
    );
    expect(share.status).toBe(201);
    expect(share.body).toMatchObject({
      body: "look",
      author: { handle: sharer.handle },
      sharedPost: { id: original.id, author: { handle: author.handle } },
    });
    expect((await flock.api.get(`/v1/posts/${original.id}`, sharer.token)).body).toMatchObject({
      shareCount: 1,
      viewer: { shared: true },
    });
  });

  it("pages the feed so that every post is seen exactly once", async () => {
    const [reader, a, b] = [
      await flock.api.signUp("reader"),
      await flock.api.signUp("a"),
      await flock.api.signUp("b"),
    ];
    await flock.api.put(`/v1/users/${a.handle}/follow`, reader.token);
    await flock.api.put(`/v1/users/${b.handle}/follow`, reader.token);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await post(i % 2 ? a : b, { body: `post ${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Reply = await flock.api.get(
        `/v1/feed?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
        reader.token,
      );
      seen.push(...ids(page));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
  });
});

describe("comments and moderation", () => {
  it("threads replies and counts comments", async () => {
    const [author, alice, bob] = [
      await flock.api.signUp("author"),
      await flock.api.signUp("alice"),
      await flock.api.signUp("bob"),
    ];
    const created = await post(author, { body: "discuss" });
    const top = await flock.api.post(
      `/v1/posts/${created.id}/comments`,
      { body: "first!" },
      alice.token,
    );
    expect(top.status).toBe(201);
    expect(top.body).toMatchObject({
      status: "visible",
      parentId: null,
      author: { handle: alice.handle },
    });
    const reply = await flock.api.post(
      `/v1/posts/${created.id}/comments`,
      { body: "indeed", parentId: top.body.id },
      bob.token,
    );
    expect(reply.body.parentId).toBe(top.body.id);
    const list = await flock.api.get(`/v1/posts/${created.id}/comments`);
    expect(ids(list)).toEqual([top.body.id, reply.body.id]);
    await eventually(async () =>
      expect((await flock.api.get(`/v1/posts/${created.id}`)).body.commentCount).toBe(2),
    );
    const withComments = await flock.api.get(`/v1/posts/${created.id}?include=comments`);
    expect(withComments.body.comments.items).toHaveLength(2);
  });

  it("refuses a comment on a post that does not exist", async () => {
    const alice = await flock.api.signUp("alice");
    expect(
      (
        await flock.api.post(
          "/v1/posts/01JD0000000000000000000000/comments",
          { body: "hello?" },
          alice.token,
        )
      ).status,
    ).toBe(404);
  });

  it("holds a spammy comment for the post's author to approve", async () => {
    const [author, spammer, reader] = [
      await flock.api.signUp("author"),
      await flock.api.signUp("spammer"),
      await flock.api.signUp("reader"),
    ];
    const created = await post(author, { body: "a post" });
    const spam = await flock.api.post(
      `/v1/posts/${created.id}/comments`,
      { body: "buy now http://a.example http://b.example http://c.example" },
      spammer.token,
    );
    expect(spam.body.status).toBe("held");
    expect(ids(await flock.api.get(`/v1/posts/${created.id}/comments`, reader.token))).toEqual([]);
    expect(ids(await flock.api.get(`/v1/posts/${created.id}/comments`, spammer.token))).toEqual([
      spam.body.id,
    ]);
    expect(ids(await flock.api.get(`/v1/posts/${created.id}/comments`, author.token))).toEqual([
      spam.body.id,
    ]);
    // A held comment does not exist for anyone but its author and the post's author.
    expect(
      (await flock.api.post(`/v1/comments/${spam.body.id}/approve`, undefined, reader.token))
        .status,
    ).toBe(404);
    expect(
      (await flock.api.post(`/v1/comments/${spam.body.id}/approve`, undefined, spammer.token))
        .status,
    ).toBe(403);
    const approved = await flock.api.post(
      `/v1/comments/${spam.body.id}/approve`,
      undefined,
      author.token,
    );
    expect(approved.body.status).toBe("visible");
    expect(ids(await flock.api.get(`/v1/posts/${created.id}/comments`, reader.token))).toEqual([
      spam.body.id,
    ]);
  });

  it("hides a comment reported by three different people", async () => {
    const author = await flock.api.signUp("author");
    const created = await post(author, { body: "a post" });
    const commenter = await flock.api.signUp("commenter");
    const comment = await flock.api.post(
      `/v1/posts/${created.id}/comments`,
      { body: "hot take" },
      commenter.token,
    );
    // Reports count toward hiding only from accounts at least a day old (moderation.test.ts).
    const reporters = [
      await establish(flock.server, await flock.api.signUp("r1")),
      await establish(flock.server, await flock.api.signUp("r2")),
      await establish(flock.server, await flock.api.signUp("r3")),
    ];
    expect(
      (
        await flock.api.post(
          `/v1/comments/${comment.body.id}/report`,
          { reason: "rude" },
          reporters[0]?.token,
        )
      ).status,
    ).toBe(202);
    await flock.api.post(
      `/v1/comments/${comment.body.id}/report`,
      { reason: "rude" },
      reporters[0]?.token,
    );
    await flock.api.post(
      `/v1/comments/${comment.body.id}/report`,
      { reason: "rude" },
      reporters[1]?.token,
    );
    expect(ids(await flock.api.get(`/v1/posts/${created.id}/comments`))).toEqual([comment.body.id]);
    await flock.api.post(
      `/v1/comments/${comment.body.id}/report`,
      { reason: "rude" },
      reporters[2]?.token,
    );
    expect(ids(await flock.api.get(`/v1/posts/${created.id}/comments`))).toEqual([]);
  });

  it("lets the comment's author or the post's author delete it, no one else", async () => {
    const [author, commenter, other] = [
      await flock.api.signUp("author"),
      await flock.api.signUp("commenter"),
      await flock.api.signUp("other"),
    ];
    const created = await post(author, { body: "a post" });
    const first = await flock.api.post(
      `/v1/posts/${created.id}/comments`,
      { body: "one" },
      commenter.token,
    );
    const second = await flock.api.post(
      `/v1/posts/${created.id}/comments`,
      { body: "two" },
      commenter.token,
    );
    expect((await flock.api.del(`/v1/comments/${first.body.id}`, other.token)).status).toBe(403);
    expect(
      (await flock.api.patch(`/v1/comments/${first.body.id}`, { body: "edited" }, author.token))
        .status,
    ).toBe(403);
    expect(
      (await flock.api.patch(`/v1/comments/${first.body.id}`, { body: "edited" }, commenter.token))
        .body.body,
    ).toBe("edited");
    expect((await flock.api.del(`/v1/comments/${first.body.id}`, commenter.token)).status).toBe(
      204,
    );
    expect((await flock.api.del(`/v1/comments/${second.body.id}`, author.token)).status).toBe(204);
    expect(ids(await flock.api.get(`/v1/posts/${created.id}/comments`))).toEqual([]);
  });
});

describe("notifications", () => {
  it("arrive for follow, like, comment, reply, share and mention, never for your own actions", async () => {
    const [ann, ben] = [await flock.api.signUp("ann"), await flock.api.signUp("ben")];
    await flock.api.put(`/v1/users/${ann.handle}/follow`, ben.token);
    const annPost = await post(ann, { body: `hi @${ben.handle}` });
    await flock.api.put(`/v1/posts/${annPost.id}/like`, ben.token);
    await flock.api.put(`/v1/posts/${annPost.id}/like`, ann.token);
    const comment = await flock.api.post(
      `/v1/posts/${annPost.id}/comments`,
      { body: "nice" },
      ben.token,
    );
    await flock.api.post(
      `/v1/posts/${annPost.id}/comments`,
      { body: "thanks", parentId: comment.body.id },
      ann.token,
    );
    await flock.api.post(`/v1/posts/${annPost.id}/shares`, {}, ben.token);

    await eventually(async () =>
      expect((await notificationTypes(ann)).sort()).toEqual(["comment", "follow", "like", "share"]),
    );
    await eventually(async () =>
      expect((await notificationTypes(ben)).sort()).toEqual(["mention", "reply"]),
    );
    const list = await flock.api.get("/v1/notifications", ann.token);
    expect(list.body.unreadCount).toBe(4);
    expect(list.body.items[0].actor.handle).toBe(ben.handle);
    const read = await flock.api.post("/v1/notifications/read", {}, ann.token);
    expect(read.body).toEqual({ unreadCount: 0 });
  });

  it("arrive for friend requests and acceptance", async () => {
    const [ann, ben] = [await flock.api.signUp("ann"), await flock.api.signUp("ben")];
    const request = await flock.api.post(
      `/v1/users/${ben.handle}/friend-request`,
      undefined,
      ann.token,
    );
    await eventually(async () => expect(await notificationTypes(ben)).toEqual(["friend_request"]));
    await flock.api.post(`/v1/me/friend-requests/${request.body.id}/accept`, undefined, ben.token);
    await eventually(async () => expect(await notificationTypes(ann)).toEqual(["friend_accept"]));
  });
});

describe("cascades", () => {
  it("deleting a post removes it from feeds at once and its comments and notifications soon after", async () => {
    const [author, fan] = [await flock.api.signUp("author"), await flock.api.signUp("fan")];
    await flock.api.put(`/v1/users/${author.handle}/follow`, fan.token);
    const created = await post(author, { body: "short-lived" });
    await flock.api.post(`/v1/posts/${created.id}/comments`, { body: "bye" }, fan.token);
    await eventually(async () => expect(await notificationTypes(author)).toContain("comment"));
    expect((await flock.api.del(`/v1/posts/${created.id}`, author.token)).status).toBe(204);
    expect((await flock.api.get(`/v1/posts/${created.id}`)).status).toBe(404);
    expect(ids(await flock.api.get("/v1/feed", fan.token))).toEqual([]);
    await eventually(async () => expect(await notificationTypes(author)).toEqual(["follow"]));
    await eventually(async () =>
      expect((await flock.api.get(`/v1/users/${author.handle}`)).body.postCount).toBe(0),
    );
  });

  it("deleting an account removes its posts, comments, likes and follows everywhere", async () => {
    const [leaving, staying] = [
      await flock.api.signUp("leaving"),
      await flock.api.signUp("staying"),
    ];
    await flock.api.put(`/v1/users/${leaving.handle}/follow`, staying.token);
    const theirs = await post(leaving, { body: "my last post" });
    const mine = await post(staying, { body: "still here" });
    await flock.api.put(`/v1/posts/${mine.id}/like`, leaving.token);
    await flock.api.post(`/v1/posts/${mine.id}/comments`, { body: "farewell" }, leaving.token);
    await eventually(async () =>
      expect((await flock.api.get(`/v1/posts/${mine.id}`)).body.commentCount).toBe(1),
    );

    expect((await flock.api.deleteAccount(leaving.token)).status).toBe(204);
    expect((await flock.api.get(`/v1/users/${staying.handle}`)).body.followerCount).toBe(0);
    await eventually(async () => {
      expect((await flock.api.get(`/v1/posts/${theirs.id}`)).status).toBe(404);
      const after = (await flock.api.get(`/v1/posts/${mine.id}`)).body;
      expect([after.likeCount, after.commentCount]).toEqual([0, 0]);
      expect(ids(await flock.api.get(`/v1/posts/${mine.id}/comments`))).toEqual([]);
      expect(ids(await flock.api.get("/v1/feed", staying.token))).toEqual([mine.id]);
    });
  });
});

describe("bad input on the new routes", () => {
  it("never answers 5xx", async () => {
    const user = await flock.api.signUp("fuzzy");
    const created = await post(user, { body: "target" });
    const attempts: Array<[string, string, unknown]> = [
      ["POST", "/v1/posts", { body: 42 }],
      ["POST", "/v1/posts", { body: "x".repeat(6000) }],
      ["POST", "/v1/posts", { body: "ok", tags: "not-a-list" }],
      ["POST", "/v1/posts", { body: "ok", tags: ["bad tag!"] }],
      ["PATCH", `/v1/posts/${created.id}`, {}],
      ["GET", "/v1/posts/not-an-id", undefined],
      ["PUT", "/v1/posts/%00%ff/like", undefined],
      ["POST", `/v1/posts/${created.id}/comments`, { body: "" }],
      ["POST", `/v1/posts/${created.id}/comments`, { body: "hi", parentId: "nope" }],
      ["POST", "/v1/comments/01JD0000000000000000000000/report", { reason: "" }],
      ["GET", "/v1/feed?limit=abc", undefined],
      ["GET", "/v1/posts?cursor=%%%", undefined],
      ["POST", "/v1/notifications/read", { upTo: 12 }],
      ["GET", "/v1/posts/01JD0000000000000000000000?include=everything", undefined],
    ];
    for (const [method, path, body] of attempts) {
      const reply = await flock.api.request(method, path, { token: user.token, body });
      expect(reply.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(reply.status, `${method} ${path}`).toBeLessThan(500);
      expect(reply.headers.get("content-type")).toContain("application/problem+json");
    }
  });
});
