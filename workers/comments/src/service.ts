import { WorkerEntrypoint } from "cloudflare:workers";
import {
  type CallContext,
  type CommentsRpc,
  type CreateCommentInput,
  Id,
  type ListQuery,
  type ReportInput,
  type ResolveInput,
  type UpdateCommentInput,
} from "@flock/contracts";
import {
  AppError,
  callService,
  checkHealth,
  defineService,
  type Inboxes,
  traceEntrypoint,
} from "@flock/kit";
import { z } from "zod";
import * as comments from "./comments";
import { outbox } from "./db/schema";
import type { Env } from "./env";
import * as moderation from "./moderation";
import * as reports from "./reports";
import type { Scope } from "./scope";

/** The queues this service's events go to, by inbox. */
export function inboxes(env: Env): Inboxes {
  return {
    posts: env.POSTS_INBOX,
    notifications: env.NOTIFICATIONS_INBOX,
    // Its own, for the pages of a deleted account's removal.
    comments: env.COMMENTS_INBOX,
  };
}

export const service = defineService<Env, Scope>({
  service: "comments",
  scope: (db, ctx) => ({ db, ctx }),
  outbox: { table: outbox, inboxes },
});

const PostRef = z.object({ postId: Id, authorId: Id });

/** The comments service's RPC surface. Each method validates its call, runs domain logic, and reports a Result. */
export class CommentsService extends WorkerEntrypoint<Env> implements CommentsRpc {
  readonly #service = service.attach(this.env, this.ctx);

  createComment(ctx: CallContext, postId: string, input: CreateCommentInput) {
    return this.#service.write(ctx, async (scope) =>
      comments.createComment(scope, await this.#post(scope, postId), input),
    );
  }
  listComments(ctx: CallContext, postId: string, query: ListQuery) {
    return this.#service.read(ctx, (scope) =>
      comments.listComments(scope, known(postId, "post"), query),
    );
  }
  commentByNumber(ctx: CallContext, number: number) {
    return this.#service.read(ctx, async (scope) =>
      comments.toRecord(await comments.findCommentByNumber(scope, knownNumber(number))),
    );
  }
  updateComment(ctx: CallContext, commentId: string, input: UpdateCommentInput) {
    return this.#service.write(ctx, (scope) =>
      comments.updateComment(scope, known(commentId, "comment"), input),
    );
  }
  deleteComment(ctx: CallContext, commentId: string) {
    return this.#service.write(ctx, (scope) =>
      comments.deleteComment(scope, known(commentId, "comment")),
    );
  }
  reportComment(ctx: CallContext, commentId: string, input: ReportInput) {
    return this.#service.write(ctx, (scope) =>
      reports.reportComment(scope, known(commentId, "comment"), input),
    );
  }
  approveComment(ctx: CallContext, commentId: string) {
    return this.#service.write(ctx, (scope) =>
      comments.approveComment(scope, known(commentId, "comment")),
    );
  }
  listReportCases(ctx: CallContext, query: ListQuery) {
    return this.#service.read(ctx, (scope) => moderation.listReportCases(scope, query));
  }
  resolveReportCase(ctx: CallContext, commentId: string, input: ResolveInput) {
    return this.#service.write(ctx, (scope) =>
      moderation.resolveReportCase(scope, known(commentId, "comment"), input),
    );
  }
  listAudit(ctx: CallContext, query: ListQuery) {
    return this.#service.read(ctx, (scope) => moderation.listCommentsAudit(scope, query));
  }
  health() {
    return checkHealth("comments", this.env.DB, { producer: true });
  }

  /** The post and its author, from the posts service: the comments service keeps no posts. */
  async #post(scope: Scope, postId: string): Promise<comments.PostRef> {
    const id = known(postId, "post");
    try {
      return await callService(scope.ctx, "posts", (call) => this.env.POSTS.postAuthor(call, id), {
        idempotent: true,
        schema: PostRef,
      });
    } catch (error) {
      if (error instanceof AppError && error.code === "not_found")
        throw new AppError("not_found", "That post does not exist.");
      // Any other failure of the posts service is its outage, not this request's fault: a 503.
      throw new AppError("unavailable", "The posts service is unavailable; try again shortly.");
    }
  }
}

// Each RPC method is a span of the caller's trace (kit/trace.ts).
traceEntrypoint(CommentsService, "comments");

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
