import { env } from "cloudflare:workers";
import { createDb, makeEvent, runBatch } from "@flock/kit";
import { describe, expect, it } from "vitest";
import {
  failureCode,
  followGraph,
  moderatorScope,
  newcomerScope,
  scopeOf,
  userId,
} from "../test/helpers";
import { applyEvent } from "./events";
import { like } from "./likes";
import { createPost, getPost, updatePost } from "./posts";
import { listPostsAudit, listReportCases, reportPost, resolveReportCase } from "./reports";
import { homeFeed, publicTimeline, userTimeline } from "./timelines";

const publish = (author: string, body: string) =>
  createPost(scopeOf(author), { body }, { firstFollowers: { ids: [], total: 0 } });

/** Whether a viewer finds the post by id, in the author's timeline and in the public timeline. */
async function seenBy(viewer: string | null, author: string, postId: string) {
  const scope = scopeOf(viewer);
  const byId = await getPost(scope, postId).then(
    () => true,
    () => false,
  );
  const timeline = (await userTimeline(scope, author, { limit: 100 })).items;
  const everyone = (await publicTimeline(scope, undefined, { limit: 100 })).items;
  return [
    byId,
    timeline.some((post) => post.id === postId),
    everyone.some((post) => post.id === postId),
  ];
}

async function queued(postId: string) {
  const page = await listReportCases(moderatorScope(), { limit: 100 });
  return page.items.find((item) => item.targetId === postId);
}

describe("post moderation rules", () => {
  it("holds a post that breaks a rule, look-alike letters and zero-width characters folded", async () => {
    const author = userId();
    for (const body of ["cheap ｖｉａｇｒａ", "free cr\u200bypto here", "get 𝐯𝐢𝐚𝐠𝐫𝐚"]) {
      const post = await publish(author, body);
      expect(post.status).toBe("held");
      expect(await seenBy(userId(), author, post.id)).toEqual([false, false, false]);
      expect(await seenBy(null, author, post.id)).toEqual([false, false, false]);
      expect(await seenBy(author, author, post.id)).toEqual([true, true, true]);
      expect(await queued(post.id)).toMatchObject({
        id: `post_${post.id}`,
        status: "held",
        reasons: ["held: denied_term"],
      });
    }
  });

  it("holds a shown post whose edit breaks a rule; the edit does not release it", async () => {
    const author = userId();
    const post = await publish(author, "all fine");
    expect((await updatePost(scopeOf(author), post.id, { body: "free crypto" })).status).toBe(
      "held",
    );
    expect((await updatePost(scopeOf(author), post.id, { body: "fine again" })).status).toBe(
      "held",
    );
  });

  it("a moderator's dismissal releases a held post to everyone", async () => {
    const author = userId();
    const post = await publish(author, "casino bonus");
    await resolveReportCase(moderatorScope(), post.id, { action: "dismiss" });
    expect(await seenBy(userId(), author, post.id)).toEqual([true, true, true]);
    expect(await queued(post.id)).toBeUndefined();
  });
});

describe("post reports", () => {
  it("hides a post at three counting reports, not before, and not by new accounts", async () => {
    const author = userId();
    const post = await publish(author, "hot take");
    for (let i = 0; i < 4; i++) await reportPost(newcomerScope(), post.id, { reason: "new" });
    await reportPost(scopeOf(userId()), post.id, { reason: "rude" });
    await reportPost(scopeOf(userId()), post.id, { reason: "rude" });
    expect(await seenBy(userId(), author, post.id)).toEqual([true, true, true]);
    await reportPost(scopeOf(userId()), post.id, { reason: "rude" });
    expect(await seenBy(userId(), author, post.id)).toEqual([false, false, false]);
    expect((await getPost(scopeOf(author), post.id)).status).toBe("hidden");
    expect(await queued(post.id)).toMatchObject({ reportCount: 7, status: "hidden" });
  });

  it("keeps a hidden post out of the home feed of its author's followers", async () => {
    const [author, reader] = [userId(), userId()];
    const graph = followGraph();
    graph.follow(reader, author);
    const post = await createPost(
      scopeOf(author),
      { body: "hot take" },
      { firstFollowers: await graph.firstFollowers(author) },
    );
    const feed = async () =>
      (await homeFeed(scopeOf(reader), { limit: 100 })).items.map((p) => p.id);
    expect(await feed()).toContain(post.id);
    for (let i = 0; i < 3; i++) await reportPost(scopeOf(userId()), post.id, { reason: "rude" });
    expect(await feed()).not.toContain(post.id);
  });

  it("refuses a report of your own post, and of a post you cannot see", async () => {
    const author = userId();
    const post = await publish(author, "mine");
    expect(await failureCode(reportPost(scopeOf(author), post.id, { reason: "x" }))).toBe(
      "validation",
    );
    const held = await publish(author, "viagra");
    expect(await failureCode(reportPost(scopeOf(userId()), held.id, { reason: "x" }))).toBe(
      "not_found",
    );
    expect(await failureCode(like(scopeOf(userId()), held.id))).toBe("not_found");
  });
});

describe("resolving reports on posts", () => {
  it("is for moderators only", async () => {
    const post = await publish(userId(), "hot take");
    expect(await failureCode(listReportCases(scopeOf(userId()), { limit: 20 }))).toBe("forbidden");
    expect(
      await failureCode(resolveReportCase(scopeOf(userId()), post.id, { action: "remove" })),
    ).toBe("forbidden");
    expect(await failureCode(listPostsAudit(scopeOf(userId()), { limit: 20 }))).toBe("forbidden");
  });

  it("hides, removes and records each action in the audit log", async () => {
    const author = userId();
    const mod = moderatorScope();
    const hidden = await publish(author, "borderline");
    await reportPost(newcomerScope(), hidden.id, { reason: "rude" });
    await resolveReportCase(mod, hidden.id, { action: "hide", reason: "rule 2" });
    expect(await seenBy(userId(), author, hidden.id)).toEqual([false, false, false]);
    expect(await queued(hidden.id)).toBeUndefined();

    const removed = await publish(author, "awful");
    await resolveReportCase(mod, removed.id, { action: "remove" });
    expect(await failureCode(getPost(scopeOf(author), removed.id))).toBe("not_found");
    const { results } = await env.DB.prepare(
      "SELECT type FROM outbox WHERE type = 'post.deleted' AND payload LIKE ?",
    )
      .bind(`%${removed.id}%`)
      .all();
    expect(results).toHaveLength(1);

    const log = await listPostsAudit(mod, { limit: 100 });
    const mine = log.items.filter((entry) => [hidden.id, removed.id].includes(entry.targetId));
    expect(mine.map((entry) => [entry.action, entry.targetId, entry.reason])).toEqual([
      ["remove", removed.id, null],
      ["hide", hidden.id, "rule 2"],
    ]);
  });
});

describe("suspended accounts", () => {
  it("cannot post, like or report here once the suspension is known, and can again after", async () => {
    const db = createDb(env.DB);
    const [suspended, other] = [userId(), userId()];
    const target = await publish(other, "a post");
    const deps = { audience: followGraph().audience, celebrityFollowers: 1000 };
    const suspension = makeEvent("users", { requestId: "test" }, "user.suspended", {
      userId: suspended,
    });
    await runBatch(db, await applyEvent(db, suspension, deps));
    const refused = /flock_refused:account_suspended/;
    expect(await failureCode(publish(suspended, "still here"))).toMatch(refused);
    expect(await failureCode(like(scopeOf(suspended), target.id))).toMatch(refused);
    expect(await failureCode(reportPost(scopeOf(suspended), target.id, { reason: "x" }))).toMatch(
      refused,
    );
    const lifted = makeEvent("users", { requestId: "test" }, "user.unsuspended", {
      userId: suspended,
    });
    await runBatch(db, await applyEvent(db, lifted, deps));
    // An older suspension arriving late changes nothing.
    await runBatch(db, await applyEvent(db, suspension, deps));
    expect((await publish(suspended, "back")).status).toBe("visible");
  });
});
