import { env } from "cloudflare:workers";
import type { LiveMessage, PostRecord } from "@flock/contracts";
import { createDb, makeEvent, runBatch } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { failureCode, followGraph, scopeOf, userId } from "../test/helpers";
import { applyEvent } from "./events";
import { type LivePorts, notePresence, type Push, pushNewPosts } from "./live";
import { createPost } from "./posts";
import { homeFeed } from "./timelines";

/**
 * The ports as the domain sees them: the live service records who was pushed what (`online` are the
 * readers with a socket), and users knows every author by an id-derived handle.
 */
function recorder(online: Set<string>) {
  const sent: Array<{ userId: string; message: LiveMessage }> = [];
  const push: Push = async (userIds, message) => {
    for (const id of userIds) sent.push({ userId: id, message });
    return userIds.filter((id) => online.has(id));
  };
  const ports: LivePorts = {
    push,
    profiles: async (ids) =>
      ids.map((id) => ({ id, handle: `u${id.slice(-6)}`, displayName: "Author", avatarUrl: null })),
  };
  return { ports, sent };
}

const created = (post: PostRecord) =>
  makeEvent("posts", { requestId: "test" }, "post.created", {
    postId: post.id,
    authorId: post.authorId,
    sharedPostId: post.sharedPostId,
    sharedPostAuthorId: null,
    mentions: [],
  });

async function presence(): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT user_id FROM live_presence").all<{
    user_id: string;
  }>();
  return results.map((row) => row.user_id);
}

async function world() {
  const graph = followGraph();
  const [author, online, offline, stranger] = [userId(), userId(), userId(), userId()];
  graph.follow(online, author);
  graph.follow(offline, author);
  await graph.deliverFollowEvents();
  for (const reader of [online, offline, stranger]) await notePresence(scopeOf(), reader);
  const write = async (body: string) =>
    createPost(scopeOf(author), { body }, { firstFollowers: await graph.firstFollowers(author) });
  return { author, online, offline, stranger, write };
}

describe("live pushes of new posts", () => {
  it("go to the author's followers with a socket, as their feed shows the post", async () => {
    const { online, offline, stranger, write } = await world();
    const post = await write("hello, live");
    const { ports, sent } = recorder(new Set([online, stranger]));
    await pushNewPosts(createDb(env.DB), ports, [created(post)]);
    // The stranger is connected but follows nobody here: not pushed to.
    expect(sent.map((entry) => entry.userId).sort()).toEqual([online, offline].sort());
    const [shown] = (await homeFeed(scopeOf(online), { limit: 1 })).items;
    expect(sent[0]?.message).toMatchObject({
      type: "post",
      post: {
        id: post.id,
        body: "hello, live",
        author: { id: shown?.authorId, displayName: "Author" },
      },
    });
    // The follower found offline leaves presence; the others stay.
    expect(await presence()).toEqual(expect.arrayContaining([online, stranger]));
    expect(await presence()).not.toContain(offline);
  });

  it("skip a reader who mutes the author, and a post held for review", async () => {
    const { author, online, offline, write } = await world();
    const db = createDb(env.DB);
    const graph = followGraph();
    const muted = makeEvent("users", { requestId: "test" }, "user.muted", {
      muterId: online,
      mutedId: author,
    });
    await runBatch(
      db,
      await applyEvent(db, muted, { audience: graph.audience, celebrityFollowers: 1000 }),
    );
    const post = await write("muted author");
    const held = await write("cheap viagra");
    expect(held.status).toBe("held");
    const { ports, sent } = recorder(new Set([online, offline]));
    await pushNewPosts(db, ports, [created(post), created(held)]);
    expect(sent.map((entry) => entry.userId)).toEqual([offline]);
    expect(
      sent.map((entry) => (entry.message.type === "post" ? entry.message.post.id : "")),
    ).toEqual([post.id]);
  });

  it("note presence only for a well-formed user id", async () => {
    const scope = scopeOf();
    expect(await failureCode(notePresence(scope, "not an id"))).toBe("validation");
  });
});
