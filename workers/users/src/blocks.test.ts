import type { Event } from "@flock/contracts";
import { toResult } from "@flock/kit";
import { gate } from "@flock/testing/race";
import { describe, expect, it } from "vitest";
import {
  failureCode,
  heldAtCommit,
  newUser,
  outboxEvents,
  outboxTypes,
  scopeOf,
} from "../test/helpers";
import { block, listRestricted, mute, unblock, unmute } from "./blocks";
import { follow } from "./follows";
import { acceptFriendRequest, listFriendRequests, listFriends, sendFriendRequest } from "./friends";
import { getProfile } from "./profiles";

/** The code an operation fails with as an RPC caller sees it (a trigger's refusal included). */
async function refusal(operation: () => Promise<unknown>): Promise<string | null> {
  const result = await toResult("test", operation);
  return result.ok ? null : result.error.code;
}

describe("blocks", () => {
  it("ends follows both ways, pending requests and a friendship, with unfollow events", async () => {
    const [ann, ben, cat] = [await newUser("ann"), await newUser("ben"), await newUser("cat")];
    await follow(scopeOf(ann.id), ben.handle);
    await follow(scopeOf(ben.id), ann.handle);
    const request = await sendFriendRequest(scopeOf(ann.id), ben.handle);
    await acceptFriendRequest(scopeOf(ben.id), request.id);
    const pending = await sendFriendRequest(scopeOf(cat.id), ann.handle);
    const before = (await outboxTypes()).filter((type) => type === "user.unfollowed").length;

    const profile = await block(scopeOf(ann.id), ben.handle);
    await block(scopeOf(ann.id), cat.handle);

    expect(profile).toMatchObject({
      followerCount: 0,
      followingCount: 0,
      viewer: { following: false, followedBy: false, friendship: "none", blocking: true },
    });
    expect((await getProfile(scopeOf(ben.id), ann.handle)).viewer).toMatchObject({
      blockedBy: true,
      blocking: false,
    });
    expect((await listFriends(scopeOf(), ann.handle, { limit: 20 })).items).toEqual([]);
    expect((await listFriendRequests(scopeOf(ann.id), "incoming", { limit: 20 })).items).toEqual(
      [],
    );
    expect(pending.status).toBe("pending");
    const types = await outboxTypes();
    expect(types.filter((type) => type === "user.unfollowed").length - before).toBe(2);
    expect(types).toContain("user.blocked");
  });

  it("blocks idempotently: one row, one event", async () => {
    const [ann, ben] = [await newUser("ann"), await newUser("ben")];
    const before = (await outboxTypes()).filter((type) => type === "user.blocked").length;
    await block(scopeOf(ann.id), ben.handle);
    await block(scopeOf(ann.id), ben.handle);
    expect((await outboxTypes()).filter((type) => type === "user.blocked").length - before).toBe(1);
    expect(
      (await listRestricted(scopeOf(ann.id), "blocks", { limit: 20 })).items.map((p) => p.id),
    ).toEqual([ben.id]);
  });

  it("refuses follows and friend requests either way while the block stands", async () => {
    const [ann, ben] = [await newUser("ann"), await newUser("ben")];
    await block(scopeOf(ann.id), ben.handle);
    expect(await refusal(() => follow(scopeOf(ben.id), ann.handle))).toBe("forbidden");
    expect(await refusal(() => follow(scopeOf(ann.id), ben.handle))).toBe("forbidden");
    expect(await refusal(() => sendFriendRequest(scopeOf(ben.id), ann.handle))).toBe("forbidden");
    expect(await refusal(() => sendFriendRequest(scopeOf(ann.id), ben.handle))).toBe("forbidden");

    await unblock(scopeOf(ann.id), ben.handle);
    expect(await refusal(() => follow(scopeOf(ben.id), ann.handle))).toBeNull();
    expect((await getProfile(scopeOf(ann.id), ben.handle)).viewer?.blocking).toBe(false);
  });

  it("refuses to block or mute yourself", async () => {
    const me = await newUser("me");
    expect(await failureCode(block(scopeOf(me.id), me.handle))).toBe("validation");
    expect(await failureCode(mute(scopeOf(me.id), me.handle))).toBe("validation");
    expect(await failureCode(block(scopeOf(null), me.handle))).toBe("unauthorized");
  });
});

describe("block and mute revisions", () => {
  const revisionOf = (event: Event | undefined) =>
    event && "revision" in event.data ? event.data.revision : undefined;

  it("number a pair's blocks and mutes in commit order, whatever order their events were made in", async () => {
    const [me, other] = [await newUser("me"), await newUser("other")];
    // Each undo makes its event first but commits after the block or mute that overtakes it.
    for (const [undo, make] of [
      [unblock, block],
      [unmute, mute],
    ] as const) {
      const { open, release } = gate();
      const held = heldAtCommit(scopeOf(me.id), open);
      const undoing = undo(held.scope, other.handle);
      await held.reached;
      await make(scopeOf(me.id), other.handle);
      release();
      await undoing;
    }
    const viewer = (await getProfile(scopeOf(me.id), other.handle)).viewer;
    expect(viewer).toMatchObject({ blocking: false, muting: false });
    for (const [made, undone] of [
      ["user.blocked", "user.unblocked"],
      ["user.muted", "user.unmuted"],
    ] as const) {
      const [first] = await outboxEvents(made, other.id);
      const [last] = await outboxEvents(undone, other.id);
      // Ids say the undo is older; the revisions say it committed last, and so it stands.
      expect(String(last?.id) < String(first?.id)).toBe(true);
      expect([revisionOf(first), revisionOf(last)]).toEqual([1, 2]);
    }
  });
});

describe("mutes", () => {
  it("mutes idempotently, lists newest first, and is seen only by the muter", async () => {
    const [ann, ben, cat] = [await newUser("ann"), await newUser("ben"), await newUser("cat")];
    const before = (await outboxTypes()).filter((type) => type === "user.muted").length;
    await mute(scopeOf(ann.id), ben.handle);
    await mute(scopeOf(ann.id), ben.handle);
    const profile = await mute(scopeOf(ann.id), cat.handle);
    expect(profile.viewer?.muting).toBe(true);
    expect((await getProfile(scopeOf(ben.id), ann.handle)).viewer).toMatchObject({
      muting: false,
      blockedBy: false,
    });
    expect((await outboxTypes()).filter((type) => type === "user.muted").length - before).toBe(2);
    const first = await listRestricted(scopeOf(ann.id), "mutes", { limit: 1 });
    expect(first.items.map((p) => p.id)).toEqual([cat.id]);
    const second = await listRestricted(scopeOf(ann.id), "mutes", {
      limit: 1,
      cursor: first.nextCursor ?? "",
    });
    expect(second.items.map((p) => p.id)).toEqual([ben.id]);
    // A mute leaves the follow graph alone.
    expect(await refusal(() => follow(scopeOf(ben.id), ann.handle))).toBeNull();

    await unmute(scopeOf(ann.id), ben.handle);
    expect(
      (await listRestricted(scopeOf(ann.id), "mutes", { limit: 20 })).items.map((p) => p.id),
    ).toEqual([cat.id]);
    expect(await outboxTypes()).toContain("user.unmuted");
  });
});
