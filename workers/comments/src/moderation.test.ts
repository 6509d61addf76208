import { describe, expect, it } from "vitest";
import {
  count,
  eventsAbout,
  failureCode,
  moderatorScope,
  newcomerScope,
  newPost,
  newUser,
  scopeOf,
} from "../test/helpers";
import { createComment, listComments } from "./comments";
import { listCommentsAudit, listReportCases, resolveReportCase } from "./moderation";
import { reportComment } from "./reports";

async function statusOf(postId: string, commentId: string, viewerId = newUser()) {
  const page = await listComments(scopeOf(viewerId), postId, { limit: 100 });
  return page.items.find((item) => item.id === commentId)?.status ?? "not listed";
}

/** A comment three established accounts reported, hidden by their reports. */
async function hiddenComment(body = "hot take") {
  const post = newPost();
  const comment = await createComment(scopeOf(newUser()), post, { body });
  for (let i = 0; i < 3; i++)
    await reportComment(scopeOf(newUser()), comment.id, { reason: `rude ${i}` });
  return { post, comment };
}

/** Every page of the queue, as a moderator reads it. */
async function wholeQueue() {
  const items = [];
  let cursor: string | undefined;
  do {
    const page = await listReportCases(moderatorScope(), { limit: 2, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

describe("reports by new accounts", () => {
  it("are kept and queued but do not hide a comment, however many there are", async () => {
    const post = newPost();
    const comment = await createComment(scopeOf(newUser()), post, { body: "hot take" });
    for (let i = 0; i < 5; i++)
      await reportComment(newcomerScope(), comment.id, { reason: "throwaway" });
    expect(await statusOf(post.postId, comment.id)).toBe("visible");
    const queued = (await wholeQueue()).find((item) => item.targetId === comment.id);
    expect(queued).toMatchObject({
      id: `comment_${comment.id}`,
      reportCount: 5,
      status: "visible",
    });
  });

  it("count as soon as three established accounts report too", async () => {
    const post = newPost();
    const comment = await createComment(scopeOf(newUser()), post, { body: "hot take" });
    await reportComment(newcomerScope(), comment.id, { reason: "throwaway" });
    await reportComment(scopeOf(newUser()), comment.id, { reason: "rude" });
    await reportComment(scopeOf(newUser()), comment.id, { reason: "rude" });
    expect(await statusOf(post.postId, comment.id)).toBe("visible");
    await reportComment(scopeOf(newUser()), comment.id, { reason: "rude" });
    expect(await statusOf(post.postId, comment.id)).toBe("not listed");
  });
});

describe("the comment moderation queue", () => {
  it("is for moderators only, whoever else asks", async () => {
    expect(await failureCode(listReportCases(scopeOf(newUser()), { limit: 20 }))).toBe("forbidden");
    const { comment } = await hiddenComment();
    expect(
      await failureCode(resolveReportCase(scopeOf(newUser()), comment.id, { action: "dismiss" })),
    ).toBe("forbidden");
    expect(await failureCode(listCommentsAudit(scopeOf(newUser()), { limit: 20 }))).toBe(
      "forbidden",
    );
  });

  it("lists each reported comment once, oldest first report first, with its reasons", async () => {
    const first = await hiddenComment("first");
    const second = await hiddenComment("second");
    const queue = await wholeQueue();
    const ids = queue.map((item) => item.targetId);
    expect(ids.indexOf(first.comment.id)).toBeLessThan(ids.indexOf(second.comment.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(queue.find((item) => item.targetId === first.comment.id)).toMatchObject({
      targetKind: "comment",
      excerpt: "first",
      status: "hidden",
      reportCount: 3,
      reasons: ["rude 0", "rude 1", "rude 2"],
    });
  });

  it("dismissing shows a hidden comment again, announces it, and leaves the queue", async () => {
    const { post, comment } = await hiddenComment();
    const mod = moderatorScope();
    await resolveReportCase(mod, comment.id, { action: "dismiss", reason: "fine" });
    expect(await statusOf(post.postId, comment.id)).toBe("visible");
    expect((await wholeQueue()).some((item) => item.targetId === comment.id)).toBe(false);
    const changes = await eventsAbout(comment.id, "comment.visibility_changed");
    expect(changes.map((event) => event.data.visible)).toEqual([false, true]);
    const audit = await listCommentsAudit(mod, { limit: 100 });
    expect(
      audit.items
        .filter((entry) => entry.targetId === comment.id)
        .map((entry) => [entry.action, entry.moderatorId, entry.reason]),
    ).toEqual([["dismiss", mod.ctx.actorId, "fine"]]);
  });

  it("hiding hides a visible comment and announces it once", async () => {
    const post = newPost();
    const comment = await createComment(scopeOf(newUser()), post, { body: "borderline" });
    await reportComment(newcomerScope(), comment.id, { reason: "rude" });
    await resolveReportCase(moderatorScope(), comment.id, { action: "hide" });
    expect(await statusOf(post.postId, comment.id)).toBe("not listed");
    const changes = await eventsAbout(comment.id, "comment.visibility_changed");
    expect(changes.map((event) => event.data.visible)).toEqual([false]);
  });

  it("removing deletes the comment with its reports, as its author's delete would", async () => {
    const { comment } = await hiddenComment();
    await resolveReportCase(moderatorScope(), comment.id, { action: "remove" });
    expect(await count("SELECT count(*) AS n FROM comments WHERE id = ?", comment.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM reports WHERE comment_id = ?", comment.id)).toBe(
      0,
    );
    expect(await eventsAbout(comment.id, "comment.deleted")).toHaveLength(1);
    expect(
      await count(
        "SELECT count(*) AS n FROM moderation_audit WHERE target_id = ? AND action = 'remove'",
        comment.id,
      ),
    ).toBe(1);
  });
});
