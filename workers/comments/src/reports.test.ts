import { describe, expect, it } from "vitest";
import { count, eventsAbout, failureCode, newPost, newUser, scopeOf } from "../test/helpers";
import { approveComment, createComment, deleteComment, listComments } from "./comments";
import { reportComment } from "./reports";

async function statusOf(postId: string, commentId: string, viewerId: string) {
  const page = await listComments(scopeOf(viewerId), postId, { limit: 100 });
  return page.items.find((item) => item.id === commentId)?.status ?? "not listed";
}

async function report(commentId: string, reporter = newUser()) {
  return reportComment(scopeOf(reporter), commentId, { reason: "abusive" });
}

describe("reports", () => {
  it("hides a visible comment reported by three users, and says so exactly once", async () => {
    const [post, author] = [newPost(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "hot take" });
    expect(await report(comment.id)).toBeNull();
    await report(comment.id);
    expect(await statusOf(post.postId, comment.id, newUser())).toBe("visible");
    await report(comment.id);

    expect(await statusOf(post.postId, comment.id, newUser())).toBe("not listed");
    expect(await statusOf(post.postId, comment.id, author)).toBe("hidden");
    expect(await statusOf(post.postId, comment.id, post.authorId)).toBe("hidden");
    const changes = await eventsAbout(comment.id, "comment.visibility_changed");
    expect(changes.map((event) => event.data)).toEqual([
      { commentId: comment.id, postId: post.postId, visible: false },
    ]);
  });

  it("changes nothing on a fourth report of a hidden comment", async () => {
    const [post, author] = [newPost(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "hot take" });
    for (let i = 0; i < 3; i++) await report(comment.id);
    await report(comment.id, post.authorId);
    expect(await statusOf(post.postId, comment.id, author)).toBe("hidden");
    expect(await eventsAbout(comment.id, "comment.visibility_changed")).toHaveLength(1);
  });

  it("counts a second report by the same user once, and keeps the first reason", async () => {
    const [post, author, [first, second]] = [newPost(), newUser(), [newUser(), newUser()]];
    const comment = await createComment(scopeOf(author), post, { body: "hot take" });
    for (const reporter of [first, second, first, second, second]) {
      await reportComment(scopeOf(reporter), comment.id, { reason: `by ${reporter}` });
    }
    expect(await statusOf(post.postId, comment.id, newUser())).toBe("visible");
    expect(await count("SELECT count(*) AS n FROM reports WHERE comment_id = ?", comment.id)).toBe(
      2,
    );
    expect(
      await count(
        "SELECT count(*) AS n FROM reports WHERE comment_id = ? AND reason = ?",
        comment.id,
        `by ${first}`,
      ),
    ).toBe(1);
  });

  it("hides a comment once when many reports arrive at the same time", async () => {
    const post = newPost();
    const comment = await createComment(scopeOf(newUser()), post, { body: "hot take" });
    await Promise.all(Array.from({ length: 6 }, () => report(comment.id)));
    expect(await statusOf(post.postId, comment.id, post.authorId)).toBe("hidden");
    expect(await eventsAbout(comment.id, "comment.visibility_changed")).toHaveLength(1);
  });

  it("refuses a report of your own comment, or from someone signed out", async () => {
    const [post, author] = [newPost(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "mine" });
    const error = await report(comment.id, author).catch((e) => e);
    expect([error.code, error.errors]).toEqual([
      "validation",
      [{ path: "commentId", message: "is your own" }],
    ]);
    expect(await failureCode(reportComment(scopeOf(null), comment.id, { reason: "spam" }))).toBe(
      "unauthorized",
    );
    expect(await failureCode(reportComment(scopeOf(newUser()), comment.id, { reason: " " }))).toBe(
      "validation",
    );
    expect(await count("SELECT count(*) AS n FROM reports WHERE comment_id = ?", comment.id)).toBe(
      0,
    );
  });

  it("refuses a report of a comment that was deleted", async () => {
    const [post, author] = [newPost(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "gone soon" });
    await deleteComment(scopeOf(author), comment.id);
    expect(await failureCode(report(comment.id))).toBe("not_found");
  });

  it("dismisses the reports when the post's author approves: it takes three new ones to hide it again", async () => {
    const post = newPost();
    const comment = await createComment(scopeOf(newUser()), post, { body: "hot take" });
    const reporters = [newUser(), newUser(), newUser()];
    for (const reporter of reporters) await report(comment.id, reporter);
    expect((await approveComment(scopeOf(post.authorId), comment.id)).status).toBe("visible");

    for (const reporter of reporters) await report(comment.id, reporter);
    await report(comment.id);
    await report(comment.id);
    expect(await statusOf(post.postId, comment.id, newUser())).toBe("visible");
    await report(comment.id);
    expect(await statusOf(post.postId, comment.id, newUser())).toBe("not listed");
    const changes = await eventsAbout(comment.id, "comment.visibility_changed");
    expect(changes.map((event) => event.data.visible)).toEqual([false, true, false]);
  });
});
