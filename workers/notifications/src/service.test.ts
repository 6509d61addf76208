import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { apply, eventOf, newUserId } from "../test/helpers";

const service = exports.NotificationsService;
const as = (actorId: string | null) => ({ requestId: "test", actorId });

describe("the NotificationsService entrypoint", () => {
  it("lists and marks read the caller's notifications", async () => {
    const me = newUserId();
    await apply(eventOf("user.followed", { followerId: newUserId(), followeeId: me }));
    const listed = await service.list(as(me), { limit: 20 });
    expect(listed).toMatchObject({ ok: true, value: { unreadCount: 1, nextCursor: null } });
    const marked = await service.markRead(as(me), {});
    expect(marked).toEqual({ ok: true, value: { unreadCount: 0 }, bookmark: expect.any(String) });
    // Each answer carries its database's bookmark (decision 0015): the write's is the newer.
    expect((marked.bookmark ?? "") > (listed.bookmark ?? "~")).toBe(true);
    // A read at that bookmark sees the write.
    const again = await service.list(
      { ...as(me), bookmarks: { notifications: marked.bookmark ?? "" } },
      { limit: 20 },
    );
    expect(again).toMatchObject({ ok: true, value: { unreadCount: 0 } });
  });

  it("answers failures as Results with a code, never a throw", async () => {
    expect(await service.list(as(null), { limit: 20 })).toMatchObject({
      ok: false,
      error: { code: "unauthorized" },
    });
    expect(await service.markRead(as(newUserId()), { upTo: "nope" })).toMatchObject({
      ok: false,
      error: { code: "validation", errors: [{ path: "upTo" }] },
    });
    expect(
      await service.list({ requestId: "test", actorId: "not-an-id" }, { limit: 20 }),
    ).toMatchObject({ ok: false, error: { code: "validation" } });
  });

  it("reports its health", async () => {
    expect(await service.health()).toMatchObject({ service: "notifications", database: "ok" });
  });
});
