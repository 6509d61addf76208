import type { ListQuery } from "@flock/contracts";
import { describe, expect, it } from "vitest";
import { failureCode, newUser, outboxTypes, scopeOf } from "../test/helpers";
import { follow, followerIds, listFollowers, unfollow } from "./follows";
import { getProfile } from "./profiles";

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
});
