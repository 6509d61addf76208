// Blocks and mutes across every service, through the public gateway: DESIGN.md "Safety and
// moderation", each rule from both sides of a block.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestFlock } from "../../scripts/test-flock.ts";
import { client, eventually, type Reply, type User } from "./client";
import { TEST_JWT_SECRET, useFlock } from "./harness";

const flock = useFlock();

const ids = (reply: Reply): string[] => {
  expect(reply.status).toBe(200);
  return reply.body.items.map((item: { id: string }) => item.id);
};

async function post(author: User, body: string, tags: string[] = []) {
  const reply = await flock.api.post("/v1/posts", { body, tags }, author.token);
  expect(reply.status).toBe(201);
  return reply.body as { id: string };
}

async function notifications(user: User): Promise<Array<{ type: string; actor: { id: string } }>> {
  const reply = await flock.api.get("/v1/notifications", user.token);
  expect(reply.status).toBe(200);
  return reply.body.items;
}

describe("blocking an account", () => {
  it("ends follows both ways, pending friend requests and a friendship, and shows on both profiles", async () => {
    const [ann, ben] = [await flock.api.signUp("ann"), await flock.api.signUp("ben")];
    await flock.api.put(`/v1/users/${ann.handle}/follow`, ben.token);
    await flock.api.put(`/v1/users/${ben.handle}/follow`, ann.token);
    const request = await flock.api.post(
      `/v1/users/${ben.handle}/friend-request`,
      undefined,
      ann.token,
    );
    await flock.api.post(`/v1/me/friend-requests/${request.body.id}/accept`, undefined, ben.token);

    const blocked = await flock.api.put(`/v1/users/${ben.handle}/block`, ann.token);
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({
      followerCount: 0,
      followingCount: 0,
      viewer: {
        following: false,
        followedBy: false,
        friendship: "none",
        blocking: true,
        blockedBy: false,
      },
    });
    expect((await flock.api.get(`/v1/users/${ann.handle}`, ben.token)).body.viewer).toMatchObject({
      blockedBy: true,
      blocking: false,
    });
    expect(ids(await flock.api.get(`/v1/users/${ann.handle}/friends`))).toEqual([]);
    expect(ids(await flock.api.get("/v1/me/blocks", ann.token))).toEqual([ben.id]);
    expect(ids(await flock.api.get("/v1/me/blocks", ben.token))).toEqual([]);
    // Idempotent.
    expect((await flock.api.put(`/v1/users/${ben.handle}/block`, ann.token)).status).toBe(200);
  });

  it("refuses follows and friend requests either way while it stands (403), and yourself (422)", async () => {
    const [ann, ben] = [await flock.api.signUp("ann"), await flock.api.signUp("ben")];
    await flock.api.post(`/v1/users/${ann.handle}/friend-request`, undefined, ben.token);
    await flock.api.put(`/v1/users/${ben.handle}/block`, ann.token);
    expect(
      (await flock.api.get("/v1/me/friend-requests?direction=incoming", ann.token)).body.items,
    ).toEqual([]);
    for (const [actor, target] of [
      [ben, ann],
      [ann, ben],
    ] as const) {
      expect((await flock.api.put(`/v1/users/${target.handle}/follow`, actor.token)).status).toBe(
        403,
      );
      const asked = await flock.api.post(
        `/v1/users/${target.handle}/friend-request`,
        undefined,
        actor.token,
      );
      expect(asked.status).toBe(403);
      expect(asked.headers.get("content-type")).toContain("application/problem+json");
    }
    expect((await flock.api.put(`/v1/users/${ann.handle}/block`, ann.token)).status).toBe(422);
    expect((await flock.api.put(`/v1/users/${ann.handle}/mute`, ann.token)).status).toBe(422);

    const lifted = await flock.api.del(`/v1/users/${ben.handle}/block`, ann.token);
    expect(lifted.body.viewer.blocking).toBe(false);
    expect((await flock.api.put(`/v1/users/${ann.handle}/follow`, ben.token)).status).toBe(200);
  });

  it("hides each side's posts and shares from the other everywhere, and refuses likes, shares and comments", async () => {
    const [blocker, blocked, third] = [
      await flock.api.signUp("blocker"),
      await flock.api.signUp("blocked"),
      await flock.api.signUp("third"),
    ];
    const tag = `tag${Date.now() % 1e8}`;
    await flock.api.put(`/v1/users/${blocked.handle}/follow`, blocker.token);
    await flock.api.put(`/v1/users/${third.handle}/follow`, blocker.token);
    const byBlocked = await post(blocked, "by the blocked account", [tag]);
    const byBlocker = await post(blocker, "by the blocker", [tag]);
    const share = (await flock.api.post(`/v1/posts/${byBlocked.id}/shares`, {}, third.token)).body;
    const commentByBlocked = await flock.api.post(
      `/v1/posts/${share.id}/comments`,
      { body: "a comment by the blocked account" },
      blocked.token,
    );
    expect(commentByBlocked.status).toBe(201);
    await eventually(async () =>
      expect(ids(await flock.api.get("/v1/feed", blocker.token))).toContain(share.id),
    );

    await flock.api.put(`/v1/users/${blocked.handle}/block`, blocker.token);

    await eventually(async () => {
      expect(ids(await flock.api.get("/v1/feed", blocker.token))).toEqual([byBlocker.id]);
      expect(
        (await flock.api.get(`/v1/posts/${share.id}/comments`, blocker.token)).body.items,
      ).toEqual([]);
    });
    for (const [viewer, other, theirs] of [
      [blocker, blocked, byBlocked],
      [blocked, blocker, byBlocker],
    ] as const) {
      expect(ids(await flock.api.get(`/v1/users/${other.handle}/posts`, viewer.token))).toEqual([]);
      expect(ids(await flock.api.get(`/v1/posts?tag=${tag}`, viewer.token))).not.toContain(
        theirs.id,
      );
      expect(ids(await flock.api.get("/v1/posts?limit=100", viewer.token))).not.toContain(
        theirs.id,
      );
      expect((await flock.api.get(`/v1/posts/${theirs.id}`, viewer.token)).status).toBe(404);
      expect((await flock.api.put(`/v1/posts/${theirs.id}/like`, viewer.token)).status).toBe(403);
      expect((await flock.api.post(`/v1/posts/${theirs.id}/shares`, {}, viewer.token)).status).toBe(
        403,
      );
      const comment = await flock.api.post(
        `/v1/posts/${theirs.id}/comments`,
        { body: "hi" },
        viewer.token,
      );
      expect(comment.status).toBe(403);
    }
    // The share by a third account of the blocked account's post is hidden from the blocker too.
    expect((await flock.api.get(`/v1/posts/${share.id}`, blocker.token)).status).toBe(404);
    expect(ids(await flock.api.get(`/v1/users/${third.handle}/posts`, blocker.token))).toEqual([]);
    // Nothing changes for anyone else, or signed out.
    expect((await flock.api.get(`/v1/posts/${byBlocked.id}`, third.token)).status).toBe(200);
    expect(ids(await flock.api.get(`/v1/users/${blocked.handle}/posts`))).toEqual([byBlocked.id]);
    expect((await flock.api.get(`/v1/posts/${share.id}/comments`)).body.items).toHaveLength(1);
  });

  it("sends the blocker no notification of what the blocked account does, mentions included", async () => {
    const [blocker, blocked] = [
      await flock.api.signUp("blocker"),
      await flock.api.signUp("blocked"),
    ];
    const mine = await post(blocker, "mine");
    await flock.api.put(`/v1/posts/${mine.id}/like`, blocked.token);
    await eventually(async () =>
      expect((await notifications(blocker)).map((n) => n.type)).toEqual(["like"]),
    );
    await flock.api.put(`/v1/users/${blocked.handle}/block`, blocker.token);
    // What the two had told each other goes with the block.
    await eventually(async () => expect(await notifications(blocker)).toEqual([]));
    await post(blocked, `hey @${blocker.handle}`);
    const witness = await flock.api.signUp("witness");
    await post(blocked, `and @${witness.handle}`);
    await eventually(async () =>
      expect((await notifications(witness)).map((n) => n.type)).toEqual(["mention"]),
    );
    expect(await notifications(blocker)).toEqual([]);
  });
});

describe("muting an account", () => {
  it("hides its posts and shares from the muter's home feed only, and it is not told", async () => {
    const [muter, muted, friend] = [
      await flock.api.signUp("muter"),
      await flock.api.signUp("muted"),
      await flock.api.signUp("friend"),
    ];
    await flock.api.put(`/v1/users/${muted.handle}/follow`, muter.token);
    await flock.api.put(`/v1/users/${friend.handle}/follow`, muter.token);
    const loud = await post(muted, "loud");
    const calm = await post(friend, "calm");
    const share = (await flock.api.post(`/v1/posts/${loud.id}/shares`, {}, friend.token)).body;

    const reply = await flock.api.put(`/v1/users/${muted.handle}/mute`, muter.token);
    expect(reply.body.viewer).toMatchObject({ muting: true, following: true, blocking: false });
    expect(
      (await flock.api.get(`/v1/users/${muter.handle}`, muted.token)).body.viewer,
    ).toMatchObject({
      blockedBy: false,
      muting: false,
    });
    expect(ids(await flock.api.get("/v1/me/mutes", muter.token))).toEqual([muted.id]);
    await eventually(async () =>
      expect(ids(await flock.api.get("/v1/feed", muter.token))).toEqual([calm.id]),
    );
    expect(ids(await flock.api.get(`/v1/users/${friend.handle}/posts`, muter.token))).toContain(
      share.id,
    );
    // Still there on the muted account's own timeline and post page.
    expect(ids(await flock.api.get(`/v1/users/${muted.handle}/posts`, muter.token))).toEqual([
      loud.id,
    ]);
    expect((await flock.api.get(`/v1/posts/${loud.id}`, muter.token)).status).toBe(200);
    // A like by the muted account is taken (no 403) but tells the muter nothing.
    const mine = await post(muter, "mine");
    expect((await flock.api.put(`/v1/posts/${mine.id}/like`, muted.token)).status).toBe(200);
    await flock.api.put(`/v1/posts/${mine.id}/like`, friend.token);
    await eventually(async () =>
      expect((await notifications(muter)).map((n) => n.actor.id)).toEqual([friend.id]),
    );

    await flock.api.del(`/v1/users/${muted.handle}/mute`, muter.token);
    await eventually(async () =>
      expect(ids(await flock.api.get("/v1/feed", muter.token))).toContain(loud.id),
    );
  });
});

describe("RealWorld (/api) with blocks and mutes", () => {
  it("leaves blocked authors out of the feed, article lists and comments, and refuses to follow across a block", async () => {
    const [blocker, blocked] = [
      await flock.api.signUp("rwblocker"),
      await flock.api.signUp("rwblocked"),
    ];
    const auth = (user: User) => ({ authorization: `Token ${user.token}` });
    await flock.api.request("POST", `/api/profiles/${blocked.handle}/follow`, {
      headers: auth(blocker),
    });
    const article = (
      await flock.api.request("POST", "/api/articles", {
        headers: auth(blocked),
        body: {
          article: { title: `Blocked ${Date.now()}`, description: "d", body: "b", tagList: [] },
        },
      })
    ).body.article;
    await flock.api.request("POST", `/api/articles/${article.slug}/comments`, {
      headers: auth(blocked),
      body: { comment: { body: "mine" } },
    });
    await flock.api.put(`/v1/users/${blocked.handle}/block`, blocker.token);
    await eventually(async () => {
      const feed = await flock.api.request("GET", "/api/articles/feed", { headers: auth(blocker) });
      expect(feed.body.articlesCount).toBe(0);
    });
    const list = await flock.api.request("GET", `/api/articles?author=${blocked.handle}`, {
      headers: auth(blocker),
    });
    expect(list.body.articles).toEqual([]);
    const comments = await flock.api.request("GET", `/api/articles/${article.slug}/comments`, {
      headers: auth(blocker),
    });
    expect(comments.status).toBe(404);
    const follow = await flock.api.request("POST", `/api/profiles/${blocker.handle}/follow`, {
      headers: auth(blocked),
    });
    expect(follow.status).toBe(403);
    expect(follow.body).toEqual({ errors: expect.any(Object) });
  });
});

describe("a block made while the blocked account's fan-out is in flight", () => {
  // The posts service's calls to users stall past its share of the gateway's deadline: a new post is
  // written without its synchronous fan-out, and the posts inbox fans it out a moment later.
  const faults = JSON.stringify({
    seed: 7,
    serviceFailure: { binding: "USERS", rate: 1, stallMs: 1_500 },
  });
  let server: Awaited<ReturnType<typeof startTestFlock>>;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await startTestFlock({
      "flock-gateway": { JWT_SECRET: TEST_JWT_SECRET, RPC_DEADLINE_MS: "2000" },
      "flock-posts": { FAULTS: faults },
    });
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("never shows the post to the blocker, while another follower gets it", async () => {
    const [author, blocker, fan] = [
      await api.signUp("author"),
      await api.signUp("blocker"),
      await api.signUp("fan"),
    ];
    await api.put(`/v1/users/${author.handle}/follow`, blocker.token);
    await api.put(`/v1/users/${author.handle}/follow`, fan.token);
    const created = await api.post("/v1/posts", { body: "in flight" }, author.token);
    expect(created.status).toBe(201);
    // Not fanned out yet: the fan's feed does not hold it.
    expect(ids(await api.get("/v1/feed", fan.token))).toEqual([]);
    expect((await api.put(`/v1/users/${author.handle}/block`, blocker.token)).status).toBe(200);

    await eventually(
      async () => expect(ids(await api.get("/v1/feed", fan.token))).toEqual([created.body.id]),
      15_000,
    );
    for (let read = 0; read < 5; read++) {
      expect(ids(await api.get("/v1/feed", blocker.token))).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  });
});
