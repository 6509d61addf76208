// Safety and moderation (DESIGN.md): post reports and who counts, the moderation rules on posts and
// comments after folding, the moderators' queue and its actions, suspension, and the audit log.
import type { PostsRpc } from "@flock/contracts";
import { describe, expect, it } from "vitest";
import { eventually, PASSWORD, type User } from "./client";
import { useFlock } from "./harness";
import { type Operation, operationsOf } from "./openapi";
import { establish, makeModerator } from "./roles";

const flock = useFlock();

const ids = (reply: { body: { items: Array<{ id: string }> } }) =>
  reply.body.items.map((item) => item.id);

async function postAs(user: User, body: string) {
  const reply = await flock.api.post("/v1/posts", { body }, user.token);
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body as { id: string; status: string };
}

/** Three accounts a day old or more: their reports count toward hiding. */
async function establishedReporters() {
  return Promise.all(
    ["r1", "r2", "r3"].map(async (name) => establish(flock.server, await flock.api.signUp(name))),
  );
}

/** The whole moderation queue, page by page, as a moderator reads it. */
async function queue(moderator: User) {
  const items: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const reply = await flock.api.get(
      `/v1/moderation/reports?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
      moderator.token,
    );
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    items.push(...reply.body.items);
    cursor = reply.body.nextCursor;
  } while (cursor);
  return items;
}

async function newModerator() {
  return makeModerator(flock.server, await flock.api.signUp("mod"));
}

describe("post reports", () => {
  it("do not hide a post when the reporters' accounts are younger than a day", async () => {
    const author = await flock.api.signUp("author");
    const post = await postAs(author, "a hot take");
    for (const name of ["y1", "y2", "y3", "y4"]) {
      const young = await flock.api.signUp(name);
      const reply = await flock.api.post(
        `/v1/posts/${post.id}/report`,
        { reason: "rude" },
        young.token,
      );
      expect(reply.status).toBe(202);
    }
    expect((await flock.api.get(`/v1/posts/${post.id}`)).status).toBe(200);
  });

  it("hide a post at three reports from established accounts, for everyone but its author", async () => {
    const author = await flock.api.signUp("author");
    const reader = await flock.api.signUp("reader");
    const post = await postAs(author, "a hot take");
    const [r1, r2, r3] = await establishedReporters();
    for (const reporter of [r1, r2]) {
      await flock.api.post(`/v1/posts/${post.id}/report`, { reason: "rude" }, reporter?.token);
    }
    expect((await flock.api.get(`/v1/posts/${post.id}`, reader.token)).status).toBe(200);
    await flock.api.post(`/v1/posts/${post.id}/report`, { reason: "rude" }, r3?.token);
    expect((await flock.api.get(`/v1/posts/${post.id}`, reader.token)).status).toBe(404);
    expect((await flock.api.get(`/v1/posts/${post.id}`)).status).toBe(404);
    expect(ids(await flock.api.get(`/v1/users/${author.handle}/posts`, reader.token))).toEqual([]);
    const own = await flock.api.get(`/v1/posts/${post.id}`, author.token);
    expect(own.body.status).toBe("hidden");
    expect(ids(await flock.api.get(`/v1/users/${author.handle}/posts`, author.token))).toEqual([
      post.id,
    ]);
  });

  it("refuse a report of your own post (422) and of one you cannot see (404)", async () => {
    const author = await flock.api.signUp("author");
    const post = await postAs(author, "mine");
    expect(
      (await flock.api.post(`/v1/posts/${post.id}/report`, { reason: "x" }, author.token)).status,
    ).toBe(422);
    const held = await postAs(author, "buy followers here");
    const other = await flock.api.signUp("other");
    expect(
      (await flock.api.post(`/v1/posts/${held.id}/report`, { reason: "x" }, other.token)).status,
    ).toBe(404);
  });
});

describe("moderation rules after folding", () => {
  it("hold posts whose denied terms hide behind look-alike letters or zero-width characters", async () => {
    const author = await flock.api.signUp("author");
    const reader = await flock.api.signUp("reader");
    for (const body of [
      "cheap ｖｉａｇｒａ",
      "v\u200Bi\u200Ca\u200Dg\u2060r\uFEFFa",
      "free cryp\u00ADto",
    ]) {
      const post = await postAs(author, body);
      expect(post.status, body).toBe("held");
      expect((await flock.api.get(`/v1/posts/${post.id}`, reader.token)).status).toBe(404);
      expect(ids(await flock.api.get("/v1/posts", reader.token))).not.toContain(post.id);
      expect((await flock.api.get(`/v1/posts/${post.id}`, author.token)).body.status).toBe("held");
    }
    expect((await postAs(author, "vigorous agreement")).status).toBe("visible");
  });

  it("hold comments the same way", async () => {
    const author = await flock.api.signUp("author");
    const post = await postAs(author, "a post");
    const comment = await flock.api.post(
      `/v1/posts/${post.id}/comments`,
      { body: "ｆｒｅｅ ｃｒｙｐｔｏ for all" },
      (await flock.api.signUp("commenter")).token,
    );
    expect(comment.body.status).toBe("held");
  });

  it("leave a held post out of the RealWorld API but for its author", async () => {
    const author = await flock.api.signUp("author");
    const held = await postAs(author, "casino bonus inside");
    const listed = await flock.api.get(`/api/articles?author=${author.handle}`);
    expect(listed.body.articles).toEqual([]);
    const own = await flock.api.request("GET", `/api/articles?author=${author.handle}`, {
      headers: { authorization: `Token ${author.token}` },
    });
    expect(own.body.articlesCount).toBe(1);
    expect(held.status).toBe("held");
  });
});

describe("the moderation queue", () => {
  it("lists held posts, reported posts and reported comments, oldest first report first", async () => {
    const moderator = await newModerator();
    const author = await flock.api.signUp("author");
    const held = await postAs(author, "viagra for sale");
    const reported = await postAs(author, "a take");
    const young = await flock.api.signUp("young");
    await flock.api.post(`/v1/posts/${reported.id}/report`, { reason: "off topic" }, young.token);
    const comment = await flock.api.post(
      `/v1/posts/${reported.id}/comments`,
      { body: "a reply" },
      young.token,
    );
    await flock.api.post(
      `/v1/comments/${comment.body.id}/report`,
      { reason: "rude" },
      author.token,
    );

    const items = await queue(moderator);
    const mine = items.filter((item) =>
      [held.id, reported.id, comment.body.id].includes(String(item.targetId)),
    );
    expect(mine.map((item) => [item.id, item.targetKind, item.reportCount, item.reasons])).toEqual([
      [`post_${held.id}`, "post", 1, ["held: denied_term"]],
      [`post_${reported.id}`, "post", 1, ["off topic"]],
      [`comment_${comment.body.id}`, "comment", 1, ["rude"]],
    ]);
    const firsts = items.map((item) => String(item.firstReportedAt));
    expect(firsts).toEqual([...firsts].sort());
    expect(mine[0]?.excerpt).toBe("viagra for sale");
  });

  it("dismiss releases a held post, hide hides a post, remove deletes a post with its comments", async () => {
    const moderator = await newModerator();
    const author = await flock.api.signUp("author");
    const reader = await flock.api.signUp("reader");
    const held = await postAs(author, "free crypto, honestly");
    const hidden = await postAs(author, "borderline");
    const removed = await postAs(author, "awful");
    const comment = await flock.api.post(
      `/v1/posts/${removed.id}/comments`,
      { body: "agreed" },
      reader.token,
    );
    const resolve = (id: string, action: string) =>
      flock.api.post(`/v1/moderation/reports/${id}/resolve`, { action }, moderator.token);

    expect((await resolve(`post_${held.id}`, "dismiss")).status).toBe(204);
    expect((await flock.api.get(`/v1/posts/${held.id}`, reader.token)).body.status).toBe("visible");
    expect((await resolve(`post_${hidden.id}`, "hide")).status).toBe(204);
    expect((await flock.api.get(`/v1/posts/${hidden.id}`, reader.token)).status).toBe(404);
    expect((await resolve(`post_${removed.id}`, "remove")).status).toBe(204);
    expect((await flock.api.get(`/v1/posts/${removed.id}`, author.token)).status).toBe(404);
    await eventually(async () =>
      expect(
        (
          await flock.api.request("PATCH", `/v1/comments/${comment.body.id}`, {
            token: reader.token,
            body: { body: "edited" },
          })
        ).status,
      ).toBe(404),
    );
    expect((await resolve("post_nothing", "hide")).status).toBe(404);
    expect((await resolve("elsewhere_1", "hide")).status).toBe(404);
    expect((await resolve(`post_${held.id}`, "explode")).status).toBe(422);
  });

  it("dismiss shows a comment hidden by reports again; hide and remove act on comments too", async () => {
    const moderator = await newModerator();
    const author = await flock.api.signUp("author");
    const post = await postAs(author, "a post");
    const commenter = await flock.api.signUp("commenter");
    const comment = async (body: string) =>
      (await flock.api.post(`/v1/posts/${post.id}/comments`, { body }, commenter.token)).body.id;
    const [shown, hidden, removed] = [
      await comment("one"),
      await comment("two"),
      await comment("three"),
    ];
    for (const reporter of await establishedReporters())
      await flock.api.post(`/v1/comments/${shown}/report`, { reason: "rude" }, reporter.token);
    const listed = async () => ids(await flock.api.get(`/v1/posts/${post.id}/comments`));
    expect(await listed()).toEqual([hidden, removed]);
    const resolve = (id: string, action: string) =>
      flock.api.post(`/v1/moderation/reports/comment_${id}/resolve`, { action }, moderator.token);
    expect((await resolve(shown, "dismiss")).status).toBe(204);
    expect((await resolve(hidden, "hide")).status).toBe(204);
    expect((await resolve(removed, "remove")).status).toBe(204);
    expect(await listed()).toEqual([shown]);
    await eventually(async () =>
      expect((await flock.api.get(`/v1/posts/${post.id}`)).body.commentCount).toBe(1),
    );
  });

  it("records every moderator action in the audit log, newest first, from every service", async () => {
    const moderator = await newModerator();
    const author = await flock.api.signUp("author");
    const post = await postAs(author, "casino bonus");
    const comment = await flock.api.post(
      `/v1/posts/${post.id}/comments`,
      { body: "hello" },
      author.token,
    );
    await flock.api.post(
      `/v1/moderation/reports/post_${post.id}/resolve`,
      { action: "dismiss", reason: "satire" },
      moderator.token,
    );
    await flock.api.post(
      `/v1/moderation/reports/comment_${comment.body.id}/resolve`,
      { action: "hide" },
      moderator.token,
    );
    await flock.api.post(
      `/v1/moderation/accounts/${author.handle}/suspend`,
      { reason: "spam wave" },
      moderator.token,
    );
    const log = await flock.api.get("/v1/moderation/audit?limit=100", moderator.token);
    const mine = log.body.items.filter(
      (entry: { moderatorId: string }) => entry.moderatorId === moderator.id,
    );
    expect(
      mine.map((entry: Record<string, unknown>) => [
        entry.action,
        entry.targetKind,
        entry.targetId,
        entry.reason,
      ]),
    ).toEqual([
      ["suspend", "account", author.id, "spam wave"],
      ["hide", "comment", comment.body.id, null],
      ["dismiss", "post", post.id, "satire"],
    ]);
    // The moderator's own grant, by `npm run moderator`, is there too: by an operator.
    expect(log.body.items).toContainEqual(
      expect.objectContaining({
        action: "grant_moderator",
        targetId: moderator.id,
        moderatorId: null,
      }),
    );
  });
});

/** Every documented write route of /v1 but those a suspended account may still use. */
async function writeRoutes(): Promise<Operation[]> {
  const operations = operationsOf((await flock.api.get("/openapi.json")).body);
  const stillAllowed = [/^\/v1\/auth\//, /^\/v1\/me\/sessions/, /^\/v1\/notifications\/read$/];
  return operations.filter(
    (operation) =>
      operation.method !== "GET" && !stillAllowed.some((allowed) => allowed.test(operation.path)),
  );
}

describe("suspension", () => {
  it("refuses every write of a suspended account with 403, on /v1 and /api, but lets it read and sign in", async () => {
    const moderator = await newModerator();
    const suspended = await flock.api.signUp("suspended");
    const other = await flock.api.signUp("other");
    const post = await postAs(other, "a post");
    const reply = await flock.api.post(
      `/v1/moderation/accounts/${suspended.handle}/suspend`,
      { reason: "abuse" },
      moderator.token,
    );
    expect(reply.body).toMatchObject({ handle: suspended.handle, suspended: true });
    // A fresh sign-in works, and its token is as suspended as the old one.
    const again = await flock.api.post("/v1/auth/login", {
      login: suspended.handle,
      password: PASSWORD,
    });
    expect(again.status).toBe(200);

    const routes = await writeRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const token of [suspended.token, again.body.token as string]) {
      for (const operation of routes) {
        const path = operation.path.replace("{id}", post.id).replace("{handle}", other.handle);
        const refused = await flock.api.request(operation.method, path, { token, body: {} });
        if (refused.status !== 403 || !/suspended/.test(refused.body?.detail ?? ""))
          failures.push(`${operation.method} ${operation.path}: ${refused.status}`);
      }
    }
    expect(failures).toEqual([]);
    const realWorld = await flock.api.request("POST", "/api/articles", {
      headers: { authorization: `Token ${suspended.token}` },
      body: { article: { title: "t", description: "d", body: "b" } },
    });
    expect(realWorld.status).toBe(403);

    expect((await flock.api.get(`/v1/posts/${post.id}`, suspended.token)).status).toBe(200);
    expect((await flock.api.get("/v1/feed", suspended.token)).status).toBe(200);
    expect((await flock.api.post("/v1/auth/logout", undefined, again.body.token)).status).toBe(204);
  });

  it("is enforced by the owning services too, for a write that gets past a stale gateway", async () => {
    const moderator = await newModerator();
    const suspended = await flock.api.signUp("suspended");
    await flock.api.post(
      `/v1/moderation/accounts/${suspended.handle}/suspend`,
      {},
      moderator.token,
    );
    // What a gateway isolate that checked the session before the suspension would still send.
    // The gateway's own binding to the posts service, as its routes use it.
    const { POSTS: posts } = (await flock.server.getWorker("flock-gateway").getEnv()) as {
      POSTS: PostsRpc;
    };
    const stale = {
      requestId: "stale-gateway",
      actorId: suspended.id,
      standing: { role: "member" as const, createdAt: new Date().toISOString(), suspended: false },
    };
    await eventually(async () => {
      const result = await posts.createPost(stale, { body: "sneaking in" });
      expect(result).toMatchObject({ ok: false, error: { code: "forbidden" } });
    });
  });

  it("ends with unsuspension, and a moderator cannot be suspended", async () => {
    const moderator = await newModerator();
    const other = await newModerator();
    const member = await flock.api.signUp("member");
    const path = (handle: string, action: string) => `/v1/moderation/accounts/${handle}/${action}`;
    expect((await flock.api.post(path(other.handle, "suspend"), {}, moderator.token)).status).toBe(
      403,
    );
    await flock.api.post(path(member.handle, "suspend"), {}, moderator.token);
    expect((await flock.api.post("/v1/posts", { body: "hi" }, member.token)).status).toBe(403);
    const lifted = await flock.api.post(path(member.handle, "unsuspend"), {}, moderator.token);
    expect(lifted.body).toMatchObject({ suspended: false, suspendedAt: null });
    await eventually(async () =>
      expect((await flock.api.post("/v1/posts", { body: "hi" }, member.token)).status).toBe(201),
    );
    expect(
      (await flock.api.get(`/v1/moderation/accounts/${member.handle}`, member.token)).status,
    ).toBe(403);
  });
});
