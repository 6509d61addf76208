import { env } from "cloudflare:workers";
import type { ListQuery } from "@flock/contracts";
import { ulid } from "ulidx";
import { describe, expect, it } from "vitest";
import { count, eventsAbout, failureCode, newPost, newUser, scopeOf } from "../test/helpers";
import {
  approveComment,
  createComment,
  deleteComment,
  findCommentByNumber,
  listComments,
  REPEAT_WINDOW_MS,
  updateComment,
} from "./comments";
import { reportComment } from "./reports";

const HELD_BODY = "cheap viagra, ask me";

async function listAll(postId: string, viewerId: string | null = null, limit = 100) {
  const ids: string[] = [];
  let query: ListQuery = { limit };
  for (;;) {
    const page = await listComments(scopeOf(viewerId), postId, query);
    ids.push(...page.items.map((item) => item.id));
    if (!page.nextCursor) return ids;
    query = { limit, cursor: page.nextCursor };
  }
}

const mentioning = (count: number) =>
  Array.from({ length: count }, (_, i) => `@user_${i}`).join(" ");

describe("creating and listing comments", () => {
  it("refuses a comment or edit that mentions more than 50 distinct accounts", async () => {
    const [post, author] = [newPost(), newUser()];
    const refused = async (operation: Promise<unknown>) => {
      const error = await operation.then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(error).toMatchObject({ code: "validation", errors: [{ path: "body" }] });
    };
    await refused(createComment(scopeOf(author), post, { body: mentioning(51) }));
    // Fifty is allowed (and held for review: moderation asks for far fewer to show one at once).
    const fifty = await createComment(scopeOf(author), post, { body: mentioning(50) });
    expect(fifty.status).toBe("held");
    await refused(updateComment(scopeOf(author), fifty.id, { body: mentioning(51) }));
    expect(await count("SELECT count(*) AS n FROM comments WHERE post_id = ?", post.postId)).toBe(
      1,
    );
  });

  it("creates a visible comment and records comment.created with the post's author and mentions", async () => {
    const [post, author] = [newPost(), newUser()];
    const comment = await createComment(scopeOf(author), post, {
      body: "  Nice one @Alice and @bob_2  ",
    });
    expect(comment).toMatchObject({
      postId: post.postId,
      parentId: null,
      authorId: author,
      body: "Nice one @Alice and @bob_2",
      status: "visible",
    });
    expect(comment.createdAt).toBe(comment.updatedAt);
    const [event, ...others] = await eventsAbout(comment.id);
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      type: "comment.created",
      producer: "comments",
      data: {
        commentId: comment.id,
        postId: post.postId,
        postAuthorId: post.authorId,
        authorId: author,
        parentId: null,
        parentAuthorId: null,
        status: "visible",
        mentions: ["alice", "bob_2"],
      },
    });
  });

  it("lists a post's comments oldest first, page by page, each exactly once", async () => {
    const [post, other] = [newPost(), newPost()];
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await createComment(scopeOf(newUser()), post, { body: `comment ${i}` })).id);
    }
    await createComment(scopeOf(newUser()), other, { body: "elsewhere" });
    expect(await listAll(post.postId, null, 3)).toEqual(ids);
  });

  it("numbers comments in order and never gives a deleted comment's number to another", async () => {
    const [post, author] = [newPost(), newUser()];
    const first = await createComment(scopeOf(author), post, { body: "one" });
    const second = await createComment(scopeOf(author), post, { body: "two" });
    expect(second.number).toBe(first.number + 1);
    await deleteComment(scopeOf(author), second.id);
    const third = await createComment(scopeOf(author), post, { body: "three" });
    expect(third.number).toBe(second.number + 1);
    expect((await findCommentByNumber(scopeOf(), first.number)).id).toBe(first.id);
    expect(await failureCode(findCommentByNumber(scopeOf(author), second.number))).toBe(
      "not_found",
    );
  });

  it("finds a held comment by its number only for those who may see it", async () => {
    const [post, author] = [newPost(), newUser()];
    const held = await createComment(scopeOf(author), post, { body: HELD_BODY });
    expect((await findCommentByNumber(scopeOf(author), held.number)).id).toBe(held.id);
    expect((await findCommentByNumber(scopeOf(post.authorId), held.number)).id).toBe(held.id);
    expect(await failureCode(findCommentByNumber(scopeOf(newUser()), held.number))).toBe(
      "not_found",
    );
  });

  it("threads a reply under its parent and tells the parent's author", async () => {
    const [post, first, second] = [newPost(), newUser(), newUser()];
    const parent = await createComment(scopeOf(first), post, { body: "top" });
    const reply = await createComment(scopeOf(second), post, {
      body: "reply",
      parentId: parent.id,
    });
    expect(reply.parentId).toBe(parent.id);
    const [created] = await eventsAbout(reply.id, "comment.created");
    expect(created?.data).toMatchObject({ parentId: parent.id, parentAuthorId: first });
    expect(
      (await listComments(scopeOf(), post.postId, { limit: 20 })).items.map((c) => c.parentId),
    ).toEqual([null, parent.id]);
  });

  it("refuses a reply to a comment of another post, or to none at all", async () => {
    const [post, other, me] = [newPost(), newPost(), newUser()];
    const elsewhere = await createComment(scopeOf(me), other, { body: "elsewhere" });
    for (const parentId of [elsewhere.id, newUser()]) {
      const error = await createComment(scopeOf(me), post, { body: "reply", parentId }).catch(
        (e) => e,
      );
      expect([error.code, error.errors]).toEqual([
        "validation",
        [{ path: "parentId", message: "is not a comment of this post" }],
      ]);
    }
  });

  it("refuses a reply to a held comment its author cannot see", async () => {
    const post = newPost();
    const held = await createComment(scopeOf(newUser()), post, { body: HELD_BODY });
    expect(
      await failureCode(
        createComment(scopeOf(newUser()), post, { body: "reply", parentId: held.id }),
      ),
    ).toBe("validation");
    const byPostAuthor = await createComment(scopeOf(post.authorId), post, {
      body: "please don't",
      parentId: held.id,
    });
    expect(byPostAuthor.parentId).toBe(held.id);
  });

  it("refuses a signed-out comment and an empty body", async () => {
    const post = newPost();
    expect(await failureCode(createComment(scopeOf(null), post, { body: "hi" }))).toBe(
      "unauthorized",
    );
    expect(await failureCode(createComment(scopeOf(newUser()), post, { body: "   " }))).toBe(
      "validation",
    );
    expect(await count("SELECT count(*) AS n FROM comments WHERE post_id = ?", post.postId)).toBe(
      0,
    );
  });

  it("rejects a cursor that was not issued", async () => {
    expect(
      await failureCode(listComments(scopeOf(), newPost().postId, { limit: 5, cursor: "%%%" })),
    ).toBe("validation");
  });
});

describe("held comments", () => {
  it("holds a comment that breaks a rule and shows it only to its author and the post's author", async () => {
    const [post, author, stranger] = [newPost(), newUser(), newUser()];
    const visible = await createComment(scopeOf(newUser()), post, { body: "fine" });
    const held = await createComment(scopeOf(author), post, { body: HELD_BODY });
    expect(held.status).toBe("held");
    const [created] = await eventsAbout(held.id, "comment.created");
    expect(created?.data.status).toBe("held");

    expect(await listAll(post.postId, null)).toEqual([visible.id]);
    expect(await listAll(post.postId, stranger)).toEqual([visible.id]);
    expect(await listAll(post.postId, author)).toEqual([visible.id, held.id]);
    expect(await listAll(post.postId, post.authorId)).toEqual([visible.id, held.id]);
  });

  it("does not let anyone else know a held comment exists", async () => {
    const post = newPost();
    const held = await createComment(scopeOf(newUser()), post, { body: HELD_BODY });
    const stranger = scopeOf(newUser());
    expect(await failureCode(updateComment(stranger, held.id, { body: "x" }))).toBe("not_found");
    expect(await failureCode(deleteComment(stranger, held.id))).toBe("not_found");
    expect(await failureCode(reportComment(stranger, held.id, { reason: "spam" }))).toBe(
      "not_found",
    );
    expect(await failureCode(approveComment(stranger, held.id))).toBe("not_found");
  });

  it("holds the same body from the same author on the same post within ten minutes", async () => {
    const [post, me] = [newPost(), newUser()];
    const first = await createComment(scopeOf(me), post, { body: "First!" });
    const again = await createComment(scopeOf(me), post, { body: "First!" });
    const otherPost = await createComment(scopeOf(me), newPost(), { body: "First!" });
    const otherAuthor = await createComment(scopeOf(newUser()), post, { body: "First!" });
    expect([first, again, otherPost, otherAuthor].map((c) => c.status)).toEqual([
      "visible",
      "held",
      "visible",
      "visible",
    ]);
  });

  it("no longer counts a body posted more than ten minutes ago as a repeat", async () => {
    const [post, me] = [newPost(), newUser()];
    const past = Date.now() - REPEAT_WINDOW_MS - 60_000;
    const at = new Date(past).toISOString();
    await env.DB.prepare(
      "INSERT INTO comments (id, post_id, parent_id, author_id, post_author_id, body, status, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, 'Again', 'visible', ?, ?)",
    )
      .bind(ulid(past), post.postId, me, post.authorId, at, at)
      .run();
    expect((await createComment(scopeOf(me), post, { body: "Again" })).status).toBe("visible");
  });
});

describe("editing comments", () => {
  it("lets the author edit the body and moves updatedAt; anyone else gets a 403", async () => {
    const [post, author] = [newPost(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "frist" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const edited = await updateComment(scopeOf(author), comment.id, { body: "first" });
    expect(edited).toMatchObject({ id: comment.id, body: "first", status: "visible" });
    expect(edited.updatedAt > comment.updatedAt).toBe(true);
    expect(
      await failureCode(updateComment(scopeOf(post.authorId), comment.id, { body: "x" })),
    ).toBe("forbidden");
    expect(await failureCode(updateComment(scopeOf(null), comment.id, { body: "x" }))).toBe(
      "unauthorized",
    );
    expect(await failureCode(updateComment(scopeOf(author), newUser(), { body: "x" }))).toBe(
      "not_found",
    );
    expect(await eventsAbout(comment.id, "comment.visibility_changed")).toEqual([]);
  });

  it("moderates the new body: an edit can hold a comment and a later one release it", async () => {
    const [post, author] = [newPost(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "hello" });
    expect((await updateComment(scopeOf(author), comment.id, { body: HELD_BODY })).status).toBe(
      "held",
    );
    expect(await listAll(post.postId)).toEqual([]);
    expect((await updateComment(scopeOf(author), comment.id, { body: "sorry" })).status).toBe(
      "visible",
    );
    const changes = await eventsAbout(comment.id, "comment.visibility_changed");
    expect(changes.map((event) => event.data)).toEqual([
      { commentId: comment.id, postId: post.postId, visible: false },
      { commentId: comment.id, postId: post.postId, visible: true },
    ]);
  });

  it("keeps a comment hidden by reports hidden, whatever the edit says", async () => {
    const [post, author] = [newPost(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "hot take" });
    for (let i = 0; i < 3; i++) {
      await reportComment(scopeOf(newUser()), comment.id, { reason: "rude" });
    }
    const edited = await updateComment(scopeOf(author), comment.id, { body: "mild take" });
    expect(edited.status).toBe("hidden");
    expect(await eventsAbout(comment.id, "comment.visibility_changed")).toHaveLength(1);
  });
});

describe("deleting comments", () => {
  it("lets the author delete a comment and records whether it was visible", async () => {
    const [post, author] = [newPost(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: "oops" });
    expect(await deleteComment(scopeOf(author), comment.id)).toBeNull();
    expect(await listAll(post.postId, author)).toEqual([]);
    const [deleted] = await eventsAbout(comment.id, "comment.deleted");
    expect(deleted?.data).toEqual({
      commentId: comment.id,
      postId: post.postId,
      authorId: author,
      wasVisible: true,
    });
    expect(await failureCode(deleteComment(scopeOf(author), comment.id))).toBe("not_found");
    expect(await eventsAbout(comment.id, "comment.deleted")).toHaveLength(1);
  });

  it("lets the post's author delete someone's held comment, and no one else delete it", async () => {
    const [post, author] = [newPost(), newUser()];
    const comment = await createComment(scopeOf(author), post, { body: HELD_BODY });
    const visible = await createComment(scopeOf(author), post, { body: "fine" });
    expect(await failureCode(deleteComment(scopeOf(newUser()), visible.id))).toBe("forbidden");
    await deleteComment(scopeOf(post.authorId), comment.id);
    const [deleted] = await eventsAbout(comment.id, "comment.deleted");
    expect(deleted?.data.wasVisible).toBe(false);
    expect(await listAll(post.postId, post.authorId)).toEqual([visible.id]);
  });

  it("removes the comment's reports but keeps its replies, which point at a comment now gone", async () => {
    const post = newPost();
    const parent = await createComment(scopeOf(newUser()), post, { body: "top" });
    const reply = await createComment(scopeOf(newUser()), post, {
      body: "reply",
      parentId: parent.id,
    });
    await reportComment(scopeOf(newUser()), parent.id, { reason: "meh" });
    await deleteComment(scopeOf(post.authorId), parent.id);
    expect(await count("SELECT count(*) AS n FROM reports WHERE comment_id = ?", parent.id)).toBe(
      0,
    );
    const page = await listComments(scopeOf(), post.postId, { limit: 20 });
    expect(page.items.map((c) => [c.id, c.parentId])).toEqual([[reply.id, parent.id]]);
  });
});

describe("approving comments", () => {
  it("lets the post's author release a held comment, for everyone to see", async () => {
    const [post, author] = [newPost(), newUser()];
    const held = await createComment(scopeOf(author), post, { body: HELD_BODY });
    expect(await failureCode(approveComment(scopeOf(author), held.id))).toBe("forbidden");
    const approved = await approveComment(scopeOf(post.authorId), held.id);
    expect(approved).toMatchObject({ id: held.id, status: "visible", updatedAt: held.updatedAt });
    expect(await listAll(post.postId)).toEqual([held.id]);
    const changes = await eventsAbout(held.id, "comment.visibility_changed");
    expect(changes.map((event) => event.data.visible)).toEqual([true]);
  });

  it("changes nothing and emits nothing when the comment is already visible", async () => {
    const post = newPost();
    const comment = await createComment(scopeOf(newUser()), post, { body: "fine" });
    expect(await approveComment(scopeOf(post.authorId), comment.id)).toEqual(comment);
    expect(await approveComment(scopeOf(post.authorId), comment.id)).toEqual(comment);
    expect(await eventsAbout(comment.id, "comment.visibility_changed")).toEqual([]);
  });
});
