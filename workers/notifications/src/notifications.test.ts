import type { ListQuery, NotificationRecord } from "@flock/contracts";
import { describe, expect, it } from "vitest";
import { apply, eventOf, failureCode, inboxOf, newUserId, scopeOf } from "../test/helpers";
import { listNotifications, markRead } from "./notifications";

/** Gives a user `count` follow notifications, oldest first, and returns their follower ids. */
async function followedBy(userId: string, count: number): Promise<string[]> {
  const followers = Array.from({ length: count }, () => newUserId());
  for (const followerId of followers) {
    await apply(eventOf("user.followed", { followerId, followeeId: userId }));
  }
  return followers;
}

async function everyPage(userId: string, limit: number) {
  const pages: Array<{ items: NotificationRecord[]; unreadCount: number }> = [];
  let query: ListQuery = { limit };
  for (;;) {
    const page = await listNotifications(scopeOf(userId), query);
    pages.push(page);
    if (!page.nextCursor) return pages;
    query = { limit, cursor: page.nextCursor };
  }
}

describe("listing notifications", () => {
  it("pages newest first, visiting each notification once, with the unread count", async () => {
    const me = newUserId();
    const followers = await followedBy(me, 7);
    const pages = await everyPage(me, 3);
    expect(pages.map((page) => page.items.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((page) => page.items.map((item) => item.actorId))).toEqual(
      [...followers].reverse(),
    );
    expect(pages.map((page) => page.unreadCount)).toEqual([7, 7, 7]);
  });

  it("answers an empty page with no cursor for a user with no notifications", async () => {
    expect(await listNotifications(scopeOf(newUserId()), { limit: 20 })).toEqual({
      items: [],
      nextCursor: null,
      unreadCount: 0,
    });
  });

  it("takes the default limit and rejects a limit out of range or a cursor it did not issue", async () => {
    const me = newUserId();
    await followedBy(me, 21);
    const page = await listNotifications(scopeOf(me), {} as ListQuery);
    expect(page.items).toHaveLength(20);
    expect(await failureCode(listNotifications(scopeOf(me), { limit: 101 }))).toBe("validation");
    expect(await failureCode(listNotifications(scopeOf(me), { limit: 3, cursor: "%%%" }))).toBe(
      "validation",
    );
  });

  it("refuses a signed-out caller", async () => {
    expect(await failureCode(listNotifications(scopeOf(null), { limit: 20 }))).toBe("unauthorized");
    expect(await failureCode(markRead(scopeOf(null), {}))).toBe("unauthorized");
  });
});

describe("marking notifications read", () => {
  it("marks all of them read without upTo", async () => {
    const me = newUserId();
    await followedBy(me, 3);
    expect(await markRead(scopeOf(me), {})).toEqual({ unreadCount: 0 });
    const page = await listNotifications(scopeOf(me), { limit: 20 });
    expect(page.unreadCount).toBe(0);
    expect(page.items.map((item) => item.read)).toEqual([true, true, true]);
  });

  it("marks only those up to and including upTo, so later ones stay unread", async () => {
    const me = newUserId();
    await followedBy(me, 4);
    const [, , second] = await inboxOf(me);
    expect(await markRead(scopeOf(me), { upTo: second?.id })).toEqual({ unreadCount: 2 });
    expect((await inboxOf(me)).map((item) => item.read)).toEqual([false, false, true, true]);

    await followedBy(me, 1);
    expect((await listNotifications(scopeOf(me), { limit: 1 })).unreadCount).toBe(3);
  });

  it("rejects an upTo that is not an id", async () => {
    expect(await failureCode(markRead(scopeOf(newUserId()), { upTo: "latest" }))).toBe(
      "validation",
    );
  });
});

describe("privacy", () => {
  it("never shows or marks one user's notifications for another", async () => {
    const [mine, theirs] = [newUserId(), newUserId()];
    const [theirFollower] = await followedBy(theirs, 1);
    await followedBy(mine, 2);
    const [newest] = await inboxOf(mine);

    expect((await inboxOf(theirs)).map((item) => item.actorId)).toEqual([theirFollower]);
    // Their upTo reaches past my notifications' ids, yet marks only their own.
    expect(await markRead(scopeOf(theirs), { upTo: newest?.id })).toEqual({ unreadCount: 0 });
    const page = await listNotifications(scopeOf(mine), { limit: 20 });
    expect(page.unreadCount).toBe(2);
    expect(page.items.map((item) => item.read)).toEqual([false, false]);
  });
});
