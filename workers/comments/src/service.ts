import { WorkerEntrypoint } from "cloudflare:workers";
import {
  type CallContext,
  type CommentsRpc,
  type CreateCommentInput,
  Id,
  type ListQuery,
  type ReportInput,
  type Result,
  type UpdateCommentInput,
} from "@flock/contracts";
import {
  AppError,
  checkHealth,
  createDb,
  type Inboxes,
  parseInput,
  relayOutbox,
  serve,
  withFaults,
} from "@flock/kit";
import { z } from "zod";
import { bindings } from "./bindings";
import * as comments from "./comments";
import { outbox } from "./db/schema";
import type { Env } from "./env";
import * as reports from "./reports";
import type { Scope } from "./scope";

export function inboxes(env: Env): Inboxes {
  return { posts: env.POSTS_INBOX, notifications: env.NOTIFICATIONS_INBOX };
}

export function relay(env: Env) {
  return relayOutbox(createDb(env.DB), outbox, inboxes(env));
}

const PostRef = z.object({ postId: Id, authorId: Id });

/** The comments service's RPC surface. Each method validates its call, runs domain logic, and reports a Result. */
export class CommentsService extends WorkerEntrypoint<Env> implements CommentsRpc {
  createComment(ctx: CallContext, postId: string, input: CreateCommentInput) {
    return this.#write(ctx, async (scope) =>
      comments.createComment(scope, await this.#post(scope, postId), input),
    );
  }
  listComments(ctx: CallContext, postId: string, query: ListQuery) {
    return this.#read(ctx, (scope) => comments.listComments(scope, known(postId, "post"), query));
  }
  commentByNumber(ctx: CallContext, number: number) {
    return this.#read(ctx, async (scope) =>
      comments.toRecord(await comments.findCommentByNumber(scope, knownNumber(number))),
    );
  }
  updateComment(ctx: CallContext, commentId: string, input: UpdateCommentInput) {
    return this.#write(ctx, (scope) =>
      comments.updateComment(scope, known(commentId, "comment"), input),
    );
  }
  deleteComment(ctx: CallContext, commentId: string) {
    return this.#write(ctx, (scope) => comments.deleteComment(scope, known(commentId, "comment")));
  }
  reportComment(ctx: CallContext, commentId: string, input: ReportInput) {
    return this.#write(ctx, (scope) =>
      reports.reportComment(scope, known(commentId, "comment"), input),
    );
  }
  approveComment(ctx: CallContext, commentId: string) {
    return this.#write(ctx, (scope) => comments.approveComment(scope, known(commentId, "comment")));
  }
  health() {
    return checkHealth("comments", this.env.DB);
  }

  /** The post and its author, from the posts service: the comments service keeps no posts. */
  async #post(scope: Scope, postId: string): Promise<comments.PostRef> {
    let result: Result<unknown>;
    try {
      result = await this.#env.POSTS.postAuthor(scope.ctx, known(postId, "post"));
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          message: "posts service call failed",
          requestId: scope.ctx.requestId,
          error: String(error),
        }),
      );
      throw new AppError("unavailable", "The posts service is unavailable; try again shortly.");
    }
    if (!result.ok && result.error.code === "not_found")
      throw new AppError("not_found", "That post does not exist.");
    const post = result.ok ? PostRef.safeParse(result.value) : null;
    if (!post?.success) {
      console.error(
        JSON.stringify({
          level: "error",
          message: "posts service answered with a failure or an unexpected shape",
          requestId: scope.ctx.requestId,
          error: result.ok ? "malformed answer" : result.error.code,
        }),
      );
      throw new AppError("unavailable", "The posts service is unavailable; try again shortly.");
    }
    return post.data;
  }

  /** The env with any injected faults (a no-op unless a FAULTS var is set; see packages/kit/src/faults.ts). */
  get #env(): Env {
    return withFaults(this.env, bindings);
  }

  #read<T>(ctx: CallContext, operation: (scope: Scope) => Promise<T>): Promise<Result<T>> {
    return serve({
      service: "comments",
      env: this.#env,
      ctx,
      run: (db, call) => operation({ db, ctx: call }),
    });
  }

  /** A write may have put events in the outbox: send them once the answer is on its way. */
  async #write<T>(ctx: CallContext, operation: (scope: Scope) => Promise<T>): Promise<Result<T>> {
    const result = await this.#read(ctx, operation);
    if (result.ok) this.ctx.waitUntil(relay(this.#env));
    return result;
  }
}

/** An id from the caller; one that cannot be an id names nothing, so it is a 404 like any unknown one. */
function known(id: string, what: "post" | "comment"): string {
  if (!Id.safeParse(id).success) throw new AppError("not_found", `That ${what} does not exist.`);
  return id;
}

/** A comment number from the caller; anything but a positive integer names no comment. */
function knownNumber(number: number): number {
  if (!Number.isSafeInteger(number) || number < 1)
    throw new AppError("not_found", "That comment does not exist.");
  return number;
}
