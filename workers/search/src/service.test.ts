import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId, PostsWorld } from "../test/helpers";

const service = exports.SearchService;
const call = (actorId: string | null = null) => ({ requestId: "test", actorId });

describe("the SearchService entrypoint", () => {
  it("indexes a rebuild page of posts and accounts, leaving out what is not visible", async () => {
    const world = new PostsWorld();
    const stem = `r${newId().slice(-10).toLowerCase()}`;
    const shown = world.add(newId(), { body: `${stem} shown` });
    const hidden = world.add(newId(), { body: `${stem} hidden`, status: "hidden" });
    const user = { id: newId(), handle: `${stem}_u`, displayName: "Rebuilt", avatarUrl: null };
    expect(await service.reindex(call(), { posts: [shown, hidden], users: [user] })).toMatchObject({
      ok: true,
      value: { posts: 2, users: 1 },
    });
    expect(await service.searchPosts(call(), { q: stem })).toMatchObject({
      ok: true,
      value: { items: [shown.id] },
    });
    expect(await service.searchUsers(call(), { q: stem })).toMatchObject({
      ok: true,
      value: { items: [user] },
    });
  });

  it("answers bad input as a validation Result, never a throw", async () => {
    expect(await service.searchPosts(call(), { q: "" })).toMatchObject({
      ok: false,
      error: { code: "validation" },
    });
    expect(await service.reindex(call(), { posts: [{ id: "nope" }] } as never)).toMatchObject({
      ok: false,
      error: { code: "validation" },
    });
    expect(await service.health()).toMatchObject({ service: "search", database: "ok" });
  });
});
