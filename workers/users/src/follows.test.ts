import { env } from "cloudflare:workers";
import type { Event, ListQuery } from "@flock/contracts";
import { describe, expect, it } from "vitest";
import {
  failureCode,
  heldAtCommit,
  newUser,
  outboxEvents,
  outboxTypes,
  PASSWORD,
  scopeOf,
} from "../test/helpers";
import { deleteMe } from "./accounts";
import { block } from "./blocks";
import { follow, followerIds, listFollowers, unfollow } from "./follows";
import { getProfile } from "./profiles";

const revisionOf = (event: Event | undefined) =>
  event && "revision" in event.data ? event.data.revision : undefined;

describe("follows", () => {
  it("follows idempotently: one row, one event, counts of one", async () => {
    const [fan, star] = [await newUser("fan"), await newUser("star")];
    await follow(scopeOf(fan.id), star.handle);
    const again = await follow(scopeOf(fan.id), star.handle);
    expect(again).toMatchObject({
      followerCount: 1,
      viewer: { following: true, followedBy: false },
    });
    expect((await getProfile(scopeOf(), fan.handle)).followingCount).toBe(1);
    expect((await outboxTypes()).filter((type) => type === "user.followed")).toHaveLength(1);
  });

  it("refuses to follow yourself", async () => {
    const me = await newUser("me");
    expect(await failureCode(follow(scopeOf(me.id), me.handle))).toBe("validation");
  });

  it("refuses a signed-out follow and an unknown handle", async () => {
    const star = await newUser("star");
    expect(await failureCode(follow(scopeOf(null), star.handle))).toBe("unauthorized");
    const me = await newUser("me");
    expect(await failureCode(follow(scopeOf(me.id), "no_such_user"))).toBe("not_found");
  });

  it("unfollows idempotently and shows followedBy from the other side", async () => {
    const [fan, star] = [await newUser("fan"), await newUser("star")];
    await follow(scopeOf(fan.id), star.handle);
    expect((await getProfile(scopeOf(star.id), fan.handle)).viewer?.followedBy).toBe(true);
    await unfollow(scopeOf(fan.id), star.handle);
    const after = await unfollow(scopeOf(fan.id), star.handle);
    expect(after).toMatchObject({ followerCount: 0, viewer: { following: false } });
    expect((await outboxTypes()).filter((type) => type === "user.unfollowed")).toHaveLength(1);
  });

  it("pages through followers newest first, each exactly once", async () => {
    const star = await newUser("star");
    const fans = [];
    for (let i = 0; i < 7; i++) {
      const fan = await newUser("fan");
      await follow(scopeOf(fan.id), star.handle);
      fans.push(fan.id);
    }
    const seen: string[] = [];
    let query: ListQuery = { limit: 3 };
    for (;;) {
      const page = await listFollowers(scopeOf(), star.handle, query);
      seen.push(...page.items.map((item) => item.id));
      if (!page.nextCursor) break;
      query = { limit: 3, cursor: page.nextCursor };
    }
    expect(seen).toEqual([...fans].reverse());
    const ids = await followerIds(scopeOf(), star.id, { limit: 100 });
    expect(ids.items).toEqual([...fans].reverse());
    expect(ids.total).toBe(7);
  });

  it("rejects a cursor that was not issued", async () => {
    const star = await newUser("star");
    expect(
      await failureCode(listFollowers(scopeOf(), star.handle, { limit: 3, cursor: "%%%" })),
    ).toBe("validation");
  });

  it("numbers a pair's changes in commit order, whatever order their events were made in", async () => {
    const [fan, star] = [await newUser("fan"), await newUser("star")];
    let release = () => {};
    const open = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The unfollow makes its event first but commits after the follow that overtakes it.
    const held = heldAtCommit(scopeOf(fan.id), open);
    const unfollowing = unfollow(held.scope, star.handle);
    await held.reached;
    await follow(scopeOf(fan.id), star.handle);
    release();
    await unfollowing;

    expect((await getProfile(scopeOf(fan.id), star.handle)).viewer?.following).toBe(false);
    const [followed] = await outboxEvents("user.followed", fan.id);
    const [unfollowed] = await outboxEvents("user.unfollowed", fan.id);
    // Ids say the unfollow is older; the revisions say it committed last, and so it stands.
    expect(String(unfollowed?.id) < String(followed?.id)).toBe(true);
    expect([revisionOf(followed), revisionOf(unfollowed)]).toEqual([1, 2]);
  });

  it("steps no revision for a follow or unfollow that changes nothing", async () => {
    const [fan, star] = [await newUser("fan"), await newUser("star")];
    await follow(scopeOf(fan.id), star.handle);
    await follow(scopeOf(fan.id), star.handle);
    await unfollow(scopeOf(fan.id), star.handle);
    await unfollow(scopeOf(fan.id), star.handle);
    await follow(scopeOf(fan.id), star.handle);
    const revisions = [
      ...(await outboxEvents("user.followed", fan.id)),
      ...(await outboxEvents("user.unfollowed", fan.id)),
    ].map(revisionOf);
    expect(revisions.sort()).toEqual([1, 2, 3]);
  });

  it("gives a block's unfollows their revisions, and a deleted account's go with it", async () => {
    const [ann, ben] = [await newUser("ann"), await newUser("ben")];
    await follow(scopeOf(ann.id), ben.handle);
    await follow(scopeOf(ben.id), ann.handle);
    await block(scopeOf(ann.id), ben.handle);
    const unfollows = await outboxEvents("user.unfollowed", ann.id);
    expect(unfollows.map(revisionOf)).toEqual([2, 2]);

    const revisionsOf = (id: string) =>
      env.DB.prepare(
        "SELECT count(*) AS n FROM follow_revisions WHERE follower_id = ? OR followee_id = ?",
      )
        .bind(id, id)
        .first<number>("n");
    expect(await revisionsOf(ann.id)).toBe(2);
    await deleteMe(scopeOf(ann.id), { password: PASSWORD });
    expect(await revisionsOf(ann.id)).toBe(0);
  });
});
