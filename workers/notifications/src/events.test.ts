import { env } from "cloudflare:workers";
import type { CommentStatus } from "@flock/contracts";
import { newId } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { apply, directory, eventOf, inboxOf, newUserId } from "../test/helpers";

// Any fresh id will do: this service never looks posts or comments up, it only files them.
const newPostId = newId;
const newCommentId = newId;

function created(
  data: Partial<{
    postId: string;
    authorId: string;
    sharedPostId: string | null;
    sharedPostAuthorId: string | null;
    mentions: string[];
  }>,
) {
  return eventOf("post.created", {
    postId: newPostId(),
    authorId: newUserId(),
    sharedPostId: null,
    sharedPostAuthorId: null,
    mentions: [],
    ...data,
  });
}

function commented(
  data: { postAuthorId: string; authorId: string } & Partial<{
    commentId: string;
    postId: string;
    parentId: string | null;
    parentAuthorId: string | null;
    status: CommentStatus;
    mentions: string[];
  }>,
) {
  return eventOf("comment.created", {
    commentId: newCommentId(),
    postId: newPostId(),
    parentId: null,
    parentAuthorId: null,
    status: "visible",
    mentions: [],
    ...data,
  });
}

const liked = (postId: string, postAuthorId: string, userId: string) =>
  eventOf("post.liked", { postId, postAuthorId, userId });

/** A user's notifications as [type, actorId] pairs, newest first. */
async function typesOf(userId: string) {
  return (await inboxOf(userId)).map((item) => [item.type, item.actorId]);
}

describe("notifications from the users service's events", () => {
  it("tells the followed user who followed them, and no one about following yourself", async () => {
    const [fan, star] = [newUserId(), newUserId()];
    await apply(eventOf("user.followed", { followerId: fan, followeeId: star }));
    await apply(eventOf("user.followed", { followerId: star, followeeId: star }));
    const [item, ...rest] = await inboxOf(star);
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      type: "follow",
      actorId: fan,
      postId: null,
      commentId: null,
      read: false,
    });
    expect(await inboxOf(fan)).toEqual([]);
  });

  it("tells an account of a follower once a day, however often they follow and unfollow", async () => {
    const [fan, star] = [newUserId(), newUserId()];
    const followedAt = (at: number) => ({
      ...eventOf("user.followed", { followerId: fan, followeeId: star }),
      occurredAt: new Date(at).toISOString(),
    });
    const start = Date.now();
    const hour = 60 * 60 * 1000;
    await apply(followedAt(start));
    await apply(eventOf("user.unfollowed", { followerId: fan, followeeId: star }));
    await apply(followedAt(start + hour));
    await apply(followedAt(start + 23 * hour));
    expect(await typesOf(star)).toEqual([["follow", fan]]);
    // A day after the one that notified, a follow notifies again.
    await apply(followedAt(start + 25 * hour));
    expect(await typesOf(star)).toEqual([
      ["follow", fan],
      ["follow", fan],
    ]);
  });

  it("notifies once of follows applied at the same time, in any order", async () => {
    const [fan, star] = [newUserId(), newUserId()];
    const [first, second, third] = [0, 1, 2].map(() =>
      eventOf("user.followed", { followerId: fan, followeeId: star }),
    );
    // Consumers racing on the same pair: only one batch can take the slot.
    await Promise.all([third, first, second].map((event) => event && apply(event)));
    expect(await typesOf(star)).toEqual([["follow", fan]]);
    // A redelivered event notifies no one twice.
    if (first) await apply(first);
    expect(await typesOf(star)).toEqual([["follow", fan]]);
  });

  it("tells the addressee of a friend request, and its sender when it is accepted", async () => {
    const [asker, asked] = [newUserId(), newUserId()];
    const request = { friendRequestId: newId(), fromId: asker, toId: asked };
    await apply(eventOf("friend.requested", request));
    await apply(eventOf("friend.accepted", request));
    expect(await typesOf(asked)).toEqual([["friend_request", asker]]);
    expect(await typesOf(asker)).toEqual([["friend_accept", asked]]);
  });

  it("creates nothing for a friend request to or from yourself", async () => {
    const me = newUserId();
    const request = { friendRequestId: newId(), fromId: me, toId: me };
    await apply(eventOf("friend.requested", request));
    await apply(eventOf("friend.accepted", request));
    expect(await inboxOf(me)).toEqual([]);
  });
});

describe("notifications from likes", () => {
  it("tells a post's author who liked it, and nobody about liking your own post", async () => {
    const [author, fan, postId] = [newUserId(), newUserId(), newPostId()];
    await apply(liked(postId, author, fan));
    await apply(liked(postId, author, author));
    const items = await inboxOf(author);
    expect(items.map((item) => [item.type, item.actorId, item.postId])).toEqual([
      ["like", fan, postId],
    ]);
  });

  it("takes the like notification back when the post is unliked", async () => {
    const [author, fan, other, postId] = [newUserId(), newUserId(), newUserId(), newPostId()];
    await apply(liked(postId, author, fan));
    await apply(liked(postId, author, other));
    await apply(eventOf("post.unliked", { postId, postAuthorId: author, userId: fan }));
    expect(await typesOf(author)).toEqual([["like", other]]);
  });

  it("keeps a like that was made after an unlike delivered later", async () => {
    const [author, fan, postId] = [newUserId(), newUserId(), newPostId()];
    const first = liked(postId, author, fan);
    const unliked = eventOf("post.unliked", { postId, postAuthorId: author, userId: fan });
    const again = liked(postId, author, fan);
    await apply(first);
    await apply(again);
    await apply(unliked);
    const items = await inboxOf(author);
    expect(items).toHaveLength(1);
    const row = await env.DB.prepare("SELECT event_id FROM notifications WHERE id = ?")
      .bind(items[0]?.id)
      .first<{ event_id: string }>();
    expect(row?.event_id).toBe(again.id);
  });
});

describe("notifications from new posts", () => {
  it("tells the original author of a shared post, pointing at the share", async () => {
    const [author, sharer, original] = [newUserId(), newUserId(), newPostId()];
    const share = created({ authorId: sharer, sharedPostId: original, sharedPostAuthorId: author });
    await apply(share);
    const items = await inboxOf(author);
    expect(items.map((item) => [item.type, item.actorId, item.postId])).toEqual([
      ["share", sharer, share.data.postId],
    ]);
  });

  it("creates nothing when you share your own post", async () => {
    const me = newUserId();
    await apply(created({ authorId: me, sharedPostId: newPostId(), sharedPostAuthorId: me }));
    expect(await inboxOf(me)).toEqual([]);
  });

  it("tells each mentioned user who exists, once, and not the author", async () => {
    const [author, ann, bob] = [newUserId(), newUserId(), newUserId()];
    const users = directory({ ann_1: ann, bob_1: bob, self_1: author });
    const post = created({
      authorId: author,
      mentions: ["ann_1", "bob_1", "ANN_1", "ghost", "self_1"],
    });
    await apply(post, users);
    for (const user of [ann, bob]) expect(await typesOf(user)).toEqual([["mention", author]]);
    expect(await inboxOf(author)).toEqual([]);
  });

  it("tells the original author of a share that mentions them once, as a share", async () => {
    const [author, sharer] = [newUserId(), newUserId()];
    await apply(
      created({
        authorId: sharer,
        sharedPostId: newPostId(),
        sharedPostAuthorId: author,
        mentions: ["orig_1"],
      }),
      directory({ orig_1: author }),
    );
    expect(await typesOf(author)).toEqual([["share", sharer]]);
  });

  it("asks for no handles when a post mentions nobody", async () => {
    const asked: string[][] = [];
    await apply(created({}), async (handles) => {
      asked.push(handles);
      return [];
    });
    expect(asked).toEqual([]);
  });

  it("notifies every one of many mentioned users", async () => {
    const author = newUserId();
    const users = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`fan_${i}`, newUserId()]),
    );
    await apply(created({ authorId: author, mentions: Object.keys(users) }), directory(users));
    for (const id of Object.values(users)) expect(await typesOf(id)).toEqual([["mention", author]]);
  });

  it("applies nothing when mentions cannot be resolved, so the event can be retried", async () => {
    const [author, ann] = [newUserId(), newUserId()];
    const post = created({
      authorId: author,
      sharedPostId: newPostId(),
      sharedPostAuthorId: ann,
      mentions: ["ann_2"],
    });
    const down = async (): Promise<string[]> => {
      throw new Error("users service unavailable");
    };
    await expect(apply(post, down)).rejects.toThrow("users service unavailable");
    expect(await inboxOf(ann)).toEqual([]);
    expect(await apply(post, directory({ ann_2: ann }))).toBe(true);
    expect(await typesOf(ann)).toEqual([["share", author]]);
  });
});

describe("notifications from comments", () => {
  it("tells the post's author, the parent's author and the mentioned, each about the comment", async () => {
    const [postAuthor, parentAuthor, mentioned, commenter] = [
      newUserId(),
      newUserId(),
      newUserId(),
      newUserId(),
    ];
    const comment = commented({
      postAuthorId: postAuthor,
      authorId: commenter,
      parentId: newCommentId(),
      parentAuthorId: parentAuthor,
      mentions: ["men_1"],
    });
    await apply(comment, directory({ men_1: mentioned }));
    const about = { postId: comment.data.postId, commentId: comment.data.commentId };
    expect(await inboxOf(postAuthor)).toMatchObject([
      { type: "comment", actorId: commenter, ...about },
    ]);
    expect(await inboxOf(parentAuthor)).toMatchObject([
      { type: "reply", actorId: commenter, ...about },
    ]);
    expect(await inboxOf(mentioned)).toMatchObject([
      { type: "mention", actorId: commenter, ...about },
    ]);
  });

  it("gives one notification per person: a reply before a comment before a mention", async () => {
    const [postAuthor, other, commenter] = [newUserId(), newUserId(), newUserId()];
    const users = directory({ post_author: postAuthor, other_one: other });
    // The post's author wrote the parent too, and is mentioned: one reply.
    await apply(
      commented({
        postAuthorId: postAuthor,
        authorId: commenter,
        parentId: newCommentId(),
        parentAuthorId: postAuthor,
        mentions: ["post_author", "other_one"],
      }),
      users,
    );
    // A top-level comment that mentions the post's author: one comment.
    await apply(
      commented({ postAuthorId: postAuthor, authorId: commenter, mentions: ["post_author"] }),
      users,
    );
    // A reply to someone who is also mentioned: one reply.
    await apply(
      commented({
        postAuthorId: postAuthor,
        authorId: commenter,
        parentId: newCommentId(),
        parentAuthorId: other,
        mentions: ["other_one"],
      }),
      users,
    );
    expect(await typesOf(postAuthor)).toEqual([
      ["comment", commenter],
      ["comment", commenter],
      ["reply", commenter],
    ]);
    expect(await typesOf(other)).toEqual([
      ["reply", commenter],
      ["mention", commenter],
    ]);
  });

  it("tells nobody about comments on your own post, replies to yourself or self-mentions", async () => {
    const me = newUserId();
    await apply(
      commented({
        postAuthorId: me,
        authorId: me,
        parentId: newCommentId(),
        parentAuthorId: me,
        mentions: ["me_myself"],
      }),
      directory({ me_myself: me }),
    );
    expect(await inboxOf(me)).toEqual([]);
  });

  it("tells only the post's author about a held comment", async () => {
    const [postAuthor, parentAuthor, mentioned, commenter] = [
      newUserId(),
      newUserId(),
      newUserId(),
      newUserId(),
    ];
    const asked: string[][] = [];
    await apply(
      commented({
        postAuthorId: postAuthor,
        authorId: commenter,
        parentId: newCommentId(),
        parentAuthorId: parentAuthor,
        status: "held",
        mentions: ["held_men"],
      }),
      async (handles) => {
        asked.push(handles);
        return [mentioned];
      },
    );
    expect(await typesOf(postAuthor)).toEqual([["comment", commenter]]);
    expect(await inboxOf(parentAuthor)).toEqual([]);
    expect(await inboxOf(mentioned)).toEqual([]);
    expect(asked).toEqual([]);
  });
});

describe("likes taken back", () => {
  it("notifies no one of a like whose unlike was applied first, and does of a newer like", async () => {
    const [author, fan, postId] = [newUserId(), newUserId(), newPostId()];
    const first = liked(postId, author, fan);
    const takenBack = eventOf("post.unliked", { postId, postAuthorId: author, userId: fan });
    await apply(takenBack);
    await apply(first);
    expect(await inboxOf(author)).toEqual([]);

    await apply(liked(postId, author, fan));
    expect(await typesOf(author)).toEqual([["like", fan]]);
  });
});

describe("likes and unlikes that committed in the other order than their ids", () => {
  // The posts service counts a revision per like at commit (decision 0019): here the unlike made its
  // event first (the older id) but committed after the like, so the revisions say it stands.
  const race = (postId: string, author: string, fan: string) => {
    const unliked = eventOf("post.unliked", {
      postId,
      postAuthorId: author,
      userId: fan,
      revision: 2,
    });
    const like = eventOf("post.liked", { postId, postAuthorId: author, userId: fan, revision: 1 });
    return { unliked, like };
  };

  it("takes the like back whichever of the two arrives first", async () => {
    for (const likeFirst of [true, false]) {
      const [author, fan, postId] = [newUserId(), newUserId(), newPostId()];
      const { unliked, like } = race(postId, author, fan);
      expect(unliked.id < like.id).toBe(true);
      for (const event of likeFirst ? [like, unliked] : [unliked, like]) await apply(event);
      expect(await inboxOf(author)).toEqual([]);
    }
  });

  it("keeps only the newest like by commit, whatever order the events arrive in", async () => {
    const [author, fan, postId] = [newUserId(), newUserId(), newPostId()];
    // Liked again after the unlike committed, in an event made before both.
    const again = eventOf("post.liked", { postId, postAuthorId: author, userId: fan, revision: 3 });
    const { unliked, like } = race(postId, author, fan);
    await apply(like);
    await apply(again);
    await apply(unliked);
    const items = await inboxOf(author);
    expect(items).toHaveLength(1);
    const row = await env.DB.prepare("SELECT event_id FROM notifications WHERE id = ?")
      .bind(items[0]?.id)
      .first<{ event_id: string }>();
    expect(row?.event_id).toBe(again.id);
  });
});

describe("cascades", () => {
  it("notifies no one of a post, comment or account that was deleted before the event arrived", async () => {
    const [author, fan, leaving, postId, otherPost] = [
      newUserId(),
      newUserId(),
      newUserId(),
      newPostId(),
      newPostId(),
    ];
    await apply(eventOf("post.deleted", { postId, authorId: author, sharedPostId: null }));
    await apply(eventOf("user.deleted", { userId: leaving }));
    const deletedComment = commented({ postId: otherPost, postAuthorId: author, authorId: fan });
    await apply(
      eventOf("comment.deleted", {
        commentId: deletedComment.data.commentId,
        postId: otherPost,
        authorId: fan,
        wasVisible: true,
      }),
    );

    // Each arrives late, as a retried or redelivered message does.
    await apply(liked(postId, author, fan));
    await apply(commented({ postId, postAuthorId: author, authorId: fan }));
    await apply(deletedComment);
    await apply(liked(otherPost, author, leaving));
    await apply(eventOf("user.followed", { followerId: fan, followeeId: leaving }));
    await apply(liked(otherPost, author, fan));

    expect(await typesOf(author)).toEqual([["like", fan]]);
    expect(await inboxOf(leaving)).toEqual([]);
  });

  it("removes every notification about a deleted post, and only those", async () => {
    const [author, fan, postId, otherPost] = [newUserId(), newUserId(), newPostId(), newPostId()];
    await apply(liked(postId, author, fan));
    await apply(liked(otherPost, author, fan));
    await apply(commented({ postId, postAuthorId: author, authorId: fan }));
    await apply(
      created({ postId, authorId: fan, mentions: ["auth_x"] }),
      directory({ auth_x: author }),
    );
    await apply(eventOf("user.followed", { followerId: fan, followeeId: author }));
    expect(await inboxOf(author)).toHaveLength(5);

    await apply(eventOf("post.deleted", { postId, authorId: author, sharedPostId: null }));
    const left = await inboxOf(author);
    expect(left.map((item) => [item.type, item.postId])).toEqual([
      ["follow", null],
      ["like", otherPost],
    ]);
  });

  it("removes the notifications about a deleted comment, and only those", async () => {
    const [author, fan, postId] = [newUserId(), newUserId(), newPostId()];
    const gone = commented({ postId, postAuthorId: author, authorId: fan });
    const kept = commented({ postId, postAuthorId: author, authorId: fan });
    await apply(gone);
    await apply(kept);
    await apply(
      eventOf("comment.deleted", {
        commentId: gone.data.commentId,
        postId,
        authorId: fan,
        wasVisible: true,
      }),
    );
    expect((await inboxOf(author)).map((item) => item.commentId)).toEqual([kept.data.commentId]);
  });

  it("removes the notifications a deleted user received and caused", async () => {
    const [leaving, staying, bystander, postId] = [
      newUserId(),
      newUserId(),
      newUserId(),
      newPostId(),
    ];
    await apply(eventOf("user.followed", { followerId: staying, followeeId: leaving }));
    await apply(eventOf("user.followed", { followerId: leaving, followeeId: staying }));
    await apply(liked(postId, staying, leaving));
    await apply(liked(postId, staying, bystander));

    await apply(eventOf("user.deleted", { userId: leaving }));
    expect(await inboxOf(leaving)).toEqual([]);
    expect(await typesOf(staying)).toEqual([["like", bystander]]);
  });
});
