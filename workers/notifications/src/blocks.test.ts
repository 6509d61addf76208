import { describe, expect, it } from "vitest";
import { apply, directory, eventOf, inboxOf, newUserId } from "../test/helpers";

const followed = (followerId: string, followeeId: string) =>
  eventOf("user.followed", { followerId, followeeId });
const mention = (authorId: string, handle: string) =>
  eventOf("post.created", {
    postId: newUserId(),
    authorId,
    sharedPostId: null,
    sharedPostAuthorId: null,
    mentions: [handle],
  });

describe("notifications across blocks and mutes", () => {
  it("notify neither side of a block of what the other does, and forget what they had", async () => {
    const [blocker, other] = [newUserId(), newUserId()];
    await apply(followed(other, blocker));
    await apply(followed(blocker, other));
    await apply(eventOf("user.blocked", { blockerId: blocker, blockedId: other }));
    expect(await inboxOf(blocker)).toEqual([]);
    expect(await inboxOf(other)).toEqual([]);

    const users = directory({ blocker_h: blocker, other_h: other });
    await apply(mention(other, "blocker_h"), users);
    await apply(mention(blocker, "other_h"), users);
    await apply(
      eventOf("post.liked", { postId: newUserId(), postAuthorId: blocker, userId: other }),
    );
    expect(await inboxOf(blocker)).toEqual([]);
    expect(await inboxOf(other)).toEqual([]);

    await apply(eventOf("user.unblocked", { blockerId: blocker, blockedId: other }));
    await apply(mention(other, "blocker_h"), users);
    expect((await inboxOf(blocker)).map((n) => n.type)).toEqual(["mention"]);
  });

  it("notify a muter of nothing the muted account does after the mute, silently", async () => {
    const [muter, muted] = [newUserId(), newUserId()];
    await apply(followed(muted, muter));
    const mute = eventOf("user.muted", { muterId: muter, mutedId: muted });
    // Made after the mute, but delivered before it: taken back when the mute arrives.
    const early = mention(muted, "muter_h");
    const users = directory({ muter_h: muter, muted_h: muted });
    await apply(early, users);
    expect((await inboxOf(muter)).map((n) => n.type)).toEqual(["mention", "follow"]);
    await apply(mute);
    expect((await inboxOf(muter)).map((n) => n.type)).toEqual(["follow"]);

    await apply(eventOf("post.liked", { postId: newUserId(), postAuthorId: muter, userId: muted }));
    expect((await inboxOf(muter)).map((n) => n.type)).toEqual(["follow"]);
    // The muted account is not told, and still hears from the muter.
    await apply(mention(muter, "muted_h"), users);
    expect((await inboxOf(muted)).map((n) => n.type)).toEqual(["mention"]);
  });

  it("order a block and an unblock by the revision they committed with, not by their ids", async () => {
    const [blocker, other] = [newUserId(), newUserId()];
    // The unblock made its event first but committed after the block (decision 0019).
    const unblocked = eventOf("user.unblocked", {
      blockerId: blocker,
      blockedId: other,
      revision: 2,
    });
    const blocked = eventOf("user.blocked", { blockerId: blocker, blockedId: other, revision: 1 });
    await apply(unblocked);
    await apply(blocked);
    const users = directory({ blocker_h: blocker });
    await apply(mention(other, "blocker_h"), users);
    expect((await inboxOf(blocker)).map((n) => n.type)).toEqual(["mention"]);
  });
});
