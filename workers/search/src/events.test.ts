import { env } from "cloudflare:workers";
import { createDb, runBatch } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { apply, eventOf, newId, PostsWorld, publish, register, scopeOf } from "../test/helpers";
import { indexPosts } from "./events";
import { searchPosts, searchTags, searchUsers, stats } from "./search";

const db = () => createDb(env.DB);

/** A word no other test uses, so each test searches its own corpus. */
function word(): string {
  return `w${newId().toLowerCase()}`;
}

async function found(q: string, actorId: string | null = null): Promise<string[]> {
  return (await searchPosts(scopeOf(actorId), { q })).items;
}

describe("indexing posts from events", () => {
  it("finds a post after its post.created event, by a word of its body, title or tag", async () => {
    const world = new PostsWorld();
    const [inBody, inTitle, inTag] = [word(), word(), word()];
    const post = world.add(newId(), {
      body: `hello ${inBody}`,
      title: `About ${inTitle}`,
      tags: [inTag],
    });
    expect(await found(inBody)).toEqual([]);
    await publish(world, post);
    expect(await found(inBody)).toEqual([post.id]);
    expect(await found(inTitle)).toEqual([post.id]);
    expect(await found(inTag)).toEqual([post.id]);
  });

  it("follows an edit: the old words find it no more, the new ones do", async () => {
    const world = new PostsWorld();
    const [before, after] = [word(), word()];
    const post = world.add(newId(), { body: before, tags: [before] });
    await publish(world, post);
    world.change(post.id, { body: after, tags: [after] });
    await apply(eventOf("post.updated", { postId: post.id, authorId: post.authorId }), world);
    expect(await found(before)).toEqual([]);
    expect(await found(after)).toEqual([post.id]);
    expect((await searchTags(scopeOf(), { q: before })).items).toEqual([]);
    expect((await searchTags(scopeOf(), { q: after })).items).toEqual([
      { tag: after, postCount: 1 },
    ]);
  });

  it("drops a post once it is held or hidden, and takes it back once released", async () => {
    const world = new PostsWorld();
    const text = word();
    const post = world.add(newId(), { body: text });
    await publish(world, post);
    const changed = () =>
      apply(eventOf("post.updated", { postId: post.id, authorId: post.authorId }), world);
    world.change(post.id, { status: "hidden" });
    await changed();
    expect(await found(text)).toEqual([]);
    world.change(post.id, { status: "visible" });
    await changed();
    expect(await found(text)).toEqual([post.id]);
    world.change(post.id, { status: "held" });
    await changed();
    expect(await found(text)).toEqual([]);
  });

  it("never indexes a post created held, nor a share", async () => {
    const world = new PostsWorld();
    const text = word();
    const held = world.add(newId(), { body: text, status: "held" });
    const share = world.add(newId(), { body: text, sharedPostId: newId() });
    await publish(world, held);
    await publish(world, share);
    expect(await found(text)).toEqual([]);
  });

  it("removes a post on post.deleted, and a late post.created for it puts nothing back", async () => {
    const world = new PostsWorld();
    const text = word();
    const post = world.add(newId(), { body: text, tags: [text] });
    await publish(world, post);
    world.posts.delete(post.id);
    await apply(
      eventOf("post.deleted", { postId: post.id, authorId: post.authorId, sharedPostId: null }),
    );
    expect(await found(text)).toEqual([]);
    expect((await searchTags(scopeOf(), { q: text })).items).toEqual([]);
    await publish(world, post);
    expect(await found(text)).toEqual([]);
    // Nor a rebuild page read before the deletion.
    await runBatch(db(), indexPosts(db(), [post.id], [post]));
    expect(await found(text)).toEqual([]);
  });

  it("changes nothing when an event is delivered again", async () => {
    const world = new PostsWorld();
    const text = word();
    const post = world.add(newId(), { body: text, tags: [text] });
    const before = await stats(scopeOf());
    await publish(world, post);
    await publish(world, post);
    const event = eventOf("post.updated", { postId: post.id, authorId: post.authorId });
    await apply(event, world);
    await apply(event, world);
    expect(await found(text)).toEqual([post.id]);
    expect((await searchTags(scopeOf(), { q: text })).items).toEqual([{ tag: text, postCount: 1 }]);
    expect(await stats(scopeOf())).toEqual({
      posts: before.posts + 1,
      users: before.users,
      tags: before.tags + 1,
    });
  });
});

describe("indexing accounts from events", () => {
  it("finds an account after user.registered and follows user.updated, never an older one", async () => {
    const handle = word().slice(0, 20);
    const registered = eventOf("user.registered", {
      userId: newId(),
      handle,
      displayName: "Ada Lovelace",
      avatarUrl: null,
    });
    const userId = registered.data.userId;
    await apply(registered);
    expect((await searchUsers(scopeOf(), { q: handle })).items.map((u) => u.id)).toEqual([userId]);
    const renamed = eventOf("user.updated", {
      ...registered.data,
      displayName: "Countess Zelda",
    });
    await apply(renamed);
    // An older event, redelivered after the newer one, changes nothing.
    await apply({ ...registered, id: "0".repeat(26) });
    const [user] = (await searchUsers(scopeOf(), { q: handle })).items;
    expect(user).toEqual({ id: userId, handle, displayName: "Countess Zelda", avatarUrl: null });
  });

  it("removes an account and its posts on user.deleted, and late events put none back", async () => {
    const world = new PostsWorld();
    const handle = word().slice(0, 20);
    const userId = await register(handle);
    const text = word();
    const post = world.add(userId, { body: text });
    await publish(world, post);
    await apply(eventOf("user.deleted", { userId }));
    expect(await found(text)).toEqual([]);
    expect((await searchUsers(scopeOf(), { q: handle })).items).toEqual([]);
    // The posts service is still removing the account's posts: a late event reads it as it was.
    await publish(world, post);
    await apply(eventOf("user.updated", { userId, handle, displayName: handle, avatarUrl: null }));
    expect(await found(text)).toEqual([]);
    expect((await searchUsers(scopeOf(), { q: handle })).items).toEqual([]);
  });
});

describe("blocks", () => {
  it("hides posts and accounts across a block from both sides, until the unblock", async () => {
    const world = new PostsWorld();
    const text = word();
    const [blocker, blocked, other] = [
      await register(`${text.slice(0, 20)}a`),
      await register(`${text.slice(0, 20)}b`),
      newId(),
    ];
    await publish(world, world.add(blocker, { body: text }));
    await publish(world, world.add(blocked, { body: text }));
    await apply(eventOf("user.blocked", { blockerId: blocker, blockedId: blocked }));
    expect(await found(text, blocker)).toHaveLength(1);
    expect(await found(text, blocked)).toHaveLength(1);
    expect(await found(text, other)).toHaveLength(2);
    expect(await found(text)).toHaveLength(2);
    const people = async (reader: string) =>
      (await searchUsers(scopeOf(reader), { q: text.slice(0, 20) })).items.map((u) => u.id);
    expect(await people(blocker)).toEqual([blocker]);
    expect(await people(blocked)).toEqual([blocked]);
    await apply(eventOf("user.unblocked", { blockerId: blocker, blockedId: blocked }));
    expect(await found(text, blocked)).toHaveLength(2);
  });

  it("keeps no block with a deleted account, even one whose event arrives after the deletion", async () => {
    const [blocker, gone] = [newId(), newId()];
    const late = eventOf("user.blocked", { blockerId: blocker, blockedId: gone });
    await apply(eventOf("user.deleted", { userId: gone }));
    await apply(late);
    const { results } = await env.DB.prepare(
      "SELECT * FROM relations WHERE user_id = ? OR other_id = ?",
    )
      .bind(gone, gone)
      .all();
    expect(results).toEqual([]);
  });
});

it("runs FTS5 in local D1, from the migrations", async () => {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%' ORDER BY name",
  ).all<{ name: string }>();
  expect(results.map((row) => row.name)).toEqual(["posts_fts", "users_fts"]);
});
