import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { CallContext } from "@flock/contracts";
import { describe, expect, it } from "vitest";
import { count, newPost, newUser, scopeOf } from "../test/helpers";
import { createComment } from "./comments";
import { CommentsService } from "./service";

/** The entrypoint as another worker reaches it, with its waitUntil work awaited on demand. */
function service() {
  const ctx = createExecutionContext();
  return { rpc: new CommentsService(ctx, env), settled: () => waitOnExecutionContext(ctx) };
}

const as = (actorId: string | null): CallContext => ({ requestId: "rpc-test", actorId });

describe("the CommentsService entrypoint", () => {
  // The posts service is not running in these tests (its binding answers 503, as a service that is
  // down would); the whole-system tests cover comments on posts that exist and ones that do not.
  it("answers unavailable, and writes nothing, when the posts service cannot say whether the post exists", async () => {
    const { rpc } = service();
    const { postId } = newPost();
    const result = await rpc.createComment(as(newUser()), postId, { body: "hi" });
    expect(result.ok ? null : result.error.code).toBe("unavailable");
    expect(await count("SELECT count(*) AS n FROM comments WHERE post_id = ?", postId)).toBe(0);
  });

  it("reports invalid input as a validation failure, never a raw error", async () => {
    const { rpc } = service();
    const { postId } = newPost();
    const author = newUser();
    const comment = await createComment(scopeOf(author), newPost(), { body: "to be edited" });
    const empty = await rpc.updateComment(as(author), comment.id, { body: "" });
    expect(empty.ok ? null : empty.error).toMatchObject({
      code: "validation",
      errors: [{ path: "body" }],
    });
    const badContext = await rpc.listComments({ requestId: "x", actorId: "not-an-id" }, postId, {
      limit: 5,
    });
    expect(badContext.ok ? null : badContext.error.code).toBe("validation");
    const badLimit = await rpc.listComments(as(null), postId, { limit: 1000 });
    expect(badLimit.ok ? null : badLimit.error.code).toBe("validation");
  });

  it("answers not_found for an id that cannot name a comment", async () => {
    const { rpc } = service();
    const result = await rpc.deleteComment(as(newUser()), "../../etc");
    expect(result).toEqual({
      ok: false,
      error: { code: "not_found", detail: "That comment does not exist." },
    });
  });

  it("answers not_found for a comment number that cannot name a comment", async () => {
    const { rpc } = service();
    for (const number of [0, -1, 1.5, Number.MAX_VALUE]) {
      const result = await rpc.commentByNumber(as(null), number);
      expect(result.ok ? null : result.error.code).toBe("not_found");
    }
  });

  it("sends a write's events after answering", async () => {
    const { rpc, settled } = service();
    const author = newUser();
    const comment = await createComment(scopeOf(author), newPost(), { body: "hello" });
    const deleted = await rpc.deleteComment(as(author), comment.id);
    expect(deleted).toEqual({ ok: true, value: null, bookmark: expect.any(String) });
    await settled();
    const sent = (type: string) =>
      count(
        "SELECT count(*) AS n FROM outbox WHERE sent_at IS NOT NULL AND type = ? AND payload LIKE ?",
        type,
        `%${comment.id}%`,
      );
    // Its own event: the comment.created of the earlier write (made without the entrypoint, so with
    // no relay of its own) is left to the cron, not sent by whichever write comes next.
    expect(await sent("comment.deleted")).toBe(1);
    expect(await sent("comment.created")).toBe(0);
  });

  it("is exported for other workers and reports its health", async () => {
    expect(await exports.CommentsService.health()).toMatchObject({
      service: "comments",
      database: "ok",
    });
  });
});
