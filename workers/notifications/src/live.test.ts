import { env } from "cloudflare:workers";
import type { LiveMessage } from "@flock/contracts";
import { createDb } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { apply, eventOf, inboxOf, newUserId } from "../test/helpers";
import { type Profiles, type Push, pushNotifications } from "./live";

/** The live service as a port, recording what each user was sent. */
function recorder() {
  const sent: Array<{ userId: string; message: LiveMessage }> = [];
  const push: Push = async (userIds, message) => {
    for (const id of userIds) sent.push({ userId: id, message });
    return userIds;
  };
  return { push, sent };
}

const named: Profiles = async (ids) =>
  ids.map((id) => ({ id, handle: `u${id.slice(-6)}`, displayName: "Someone", avatarUrl: null }));

describe("live pushes of notifications", () => {
  it("send each new notification in the list's shape, then the recipient's unread count", async () => {
    const [fan, star] = [newUserId(), newUserId()];
    const event = eventOf("user.followed", { followerId: fan, followeeId: star });
    await apply(event);
    const { push, sent } = recorder();
    await pushNotifications(createDb(env.DB), push, named, [event]);
    const [listed] = await inboxOf(star);
    const { actorId, ...fields } = listed ?? { actorId: "" };
    expect(sent).toEqual([
      {
        userId: star,
        message: {
          type: "notification",
          notification: {
            ...fields,
            actor: {
              id: actorId,
              handle: `u${fan.slice(-6)}`,
              displayName: "Someone",
              avatarUrl: null,
            },
          },
        },
      },
      { userId: star, message: { type: "unread", count: 1 } },
    ]);
  });

  it("send nothing the batch took back across a block, and a null actor when users is down", async () => {
    const [author, blocker, friend] = [newUserId(), newUserId(), newUserId()];
    await apply(eventOf("user.blocked", { blockerId: blocker, blockedId: author }));
    const liked = eventOf("post.liked", {
      postId: newUserId(),
      postAuthorId: blocker,
      userId: author,
    });
    const welcome = eventOf("user.followed", { followerId: author, followeeId: friend });
    await apply(liked);
    await apply(welcome);
    const { push, sent } = recorder();
    const down: Profiles = async () => {
      throw new Error("users is down");
    };
    await pushNotifications(createDb(env.DB), push, down, [liked, welcome]);
    expect(sent.map((entry) => entry.userId)).toEqual([friend, friend]);
    expect(sent[0]?.message).toMatchObject({ type: "notification", notification: { actor: null } });
  });
});
