import { env } from "cloudflare:workers";
import { createDb, makeEvent, runBatch } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { followGraph, moderatorScope, newcomerScope, scopeOf, userId } from "../test/helpers";
import { applyEvent } from "./events";
import { createPost, updatePost } from "./posts";
import { reportPost, resolveReportCase } from "./reports";
import { postsByIds, postsForIndex } from "./search-reads";

const publish = (author: string, body: string) =>
  createPost(scopeOf(author), { body }, { firstFollowers: { ids: [], total: 0 } });

/** How many post.updated events the outbox holds for a post. */
async function updates(postId: string): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM outbox WHERE type = 'post.updated' AND payload LIKE ?",
  )
    .bind(`%${postId}%`)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("what the search index reads", () => {
  it("announces each edit, hide and release of a post with post.updated, and only real changes", async () => {
    const author = userId();
    const post = await publish(author, "first words");
    await updatePost(scopeOf(author), post.id, { body: "second words" });
    expect(await updates(post.id)).toBe(1);
    const moderator = moderatorScope();
    await resolveReportCase(moderator, post.id, { action: "hide" });
    await resolveReportCase(moderator, post.id, { action: "hide" });
    expect(await updates(post.id)).toBe(2);
    await resolveReportCase(moderator, post.id, { action: "dismiss" });
    expect(await updates(post.id)).toBe(3);
  });

  it("announces the report that hides a post, not the ones before it", async () => {
    const post = await publish(userId(), "reported words");
    // A young account's report counts for nothing, and announces nothing.
    await reportPost(newcomerScope(), post.id, { reason: "spam" });
    for (let i = 0; i < 3; i++) {
      await reportPost(scopeOf(userId()), post.id, { reason: "spam" });
      expect(await updates(post.id)).toBe(i === 2 ? 1 : 0);
    }
  });

  it("gives the index every post with its status, by ids and by pages in id order", async () => {
    const author = userId();
    const shown = await publish(author, "shown words");
    const held = await publish(author, "cheap viagra");
    const byIds = await postsForIndex(scopeOf(null), { ids: [shown.id, held.id] });
    expect(byIds.items.map((post) => [post.id, post.status]).sort()).toEqual(
      [
        [shown.id, "visible"],
        [held.id, "held"],
      ].sort(),
    );
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await postsForIndex(scopeOf(null), { after, limit: 1 });
      seen.push(...page.items.map((post) => post.id));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining([shown.id, held.id]));
  });

  it("hydrates posts by id in the order asked, without what the reader may not see", async () => {
    const [author, blocked] = [userId(), userId()];
    const older = await publish(author, "older words");
    const newer = await publish(author, "newer words");
    const held = await publish(author, "cheap viagra");
    const ids = [newer.id, held.id, older.id, userId()];
    expect((await postsByIds(scopeOf(null), ids)).map((post) => post.id)).toEqual([
      newer.id,
      older.id,
    ]);
    const db = createDb(env.DB);
    await runBatch(
      db,
      await applyEvent(
        db,
        makeEvent("users", { requestId: "test" }, "user.blocked", {
          blockerId: author,
          blockedId: blocked,
        }),
        { audience: followGraph().audience, celebrityFollowers: 1000 },
      ),
    );
    expect(await postsByIds(scopeOf(blocked), ids)).toEqual([]);
    expect((await postsByIds(scopeOf(author), ids)).map((post) => post.id)).toEqual([
      newer.id,
      held.id,
      older.id,
    ]);
  });
});
