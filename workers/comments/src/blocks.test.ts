import { env } from "cloudflare:workers";
import type { Event } from "@flock/contracts";
import { createDb, makeEvent, runBatch, toResult } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { newPost, newUser, scopeOf } from "../test/helpers";
import { createComment, listComments } from "./comments";
import { applyEvent } from "./events";

async function apply(event: Event) {
  const db = createDb(env.DB);
  await runBatch(db, await applyEvent(db, event));
}

const blocked = (blockerId: string, blockedId: string) =>
  makeEvent("users", { requestId: "test" }, "user.blocked", { blockerId, blockedId });

async function refusal(operation: () => Promise<unknown>): Promise<string | null> {
  const result = await toResult("test", operation);
  return result.ok ? null : result.error.code;
}

describe("blocks in the comments service", () => {
  it("refuse a comment on a post across a block, either way, with a 403", async () => {
    const [blocker, other] = [newUser(), newUser()];
    const blockersPost = newPost(blocker);
    const othersPost = newPost(other);
    await apply(blocked(blocker, other));
    expect(await refusal(() => createComment(scopeOf(other), blockersPost, { body: "hi" }))).toBe(
      "forbidden",
    );
    expect(await refusal(() => createComment(scopeOf(blocker), othersPost, { body: "hi" }))).toBe(
      "forbidden",
    );
    expect(
      await refusal(() => createComment(scopeOf(newUser()), blockersPost, { body: "hi" })),
    ).toBeNull();
    await apply(
      makeEvent("users", { requestId: "test" }, "user.unblocked", {
        blockerId: blocker,
        blockedId: other,
      }),
    );
    expect(
      await refusal(() => createComment(scopeOf(other), blockersPost, { body: "hi" })),
    ).toBeNull();
  });

  it("hide comments across a block from the signed-in reader, both ways", async () => {
    const [blocker, other, third] = [newUser(), newUser(), newUser()];
    const post = newPost(third);
    const byOther = await createComment(scopeOf(other), post, { body: "from the other" });
    const byBlocker = await createComment(scopeOf(blocker), post, { body: "from the blocker" });
    const byThird = await createComment(scopeOf(third), post, { body: "from the third" });
    await apply(blocked(blocker, other));
    const seenBy = async (viewer: string | null) =>
      (await listComments(scopeOf(viewer), post.postId, { limit: 20 })).items.map((c) => c.id);
    expect(await seenBy(blocker)).toEqual([byBlocker.id, byThird.id]);
    expect(await seenBy(other)).toEqual([byOther.id, byThird.id]);
    expect(await seenBy(third)).toEqual([byOther.id, byBlocker.id, byThird.id]);
    expect(await seenBy(null)).toEqual([byOther.id, byBlocker.id, byThird.id]);
  });
});
