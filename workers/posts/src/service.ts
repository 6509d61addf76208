import { WorkerEntrypoint } from "cloudflare:workers";
import type {
  CallContext,
  CreatePostInput,
  FeedOffsetQuery,
  FeedQuery,
  IndexPageQuery,
  ListQuery,
  PostListQuery,
  PostRecord,
  PostsRpc,
  ReportInput,
  ResolveInput,
  ShareInput,
  UpdatePostInput,
} from "@flock/contracts";
import { IdempotencyKey, ProfileSummary } from "@flock/contracts";
import {
  actor,
  callService,
  checkHealth,
  defineService,
  describeError,
  type Inboxes,
  parseInput,
  traceEntrypoint,
} from "@flock/kit";
import { z } from "zod";
import { outbox } from "./db/schema";
import type { Env } from "./env";
import { SYNC_FANOUT } from "./fanout";
import * as likes from "./likes";
import * as listings from "./listings";
import type { LivePorts } from "./live";
import * as live from "./live";
import * as posts from "./posts";
import * as reports from "./reports";
import type { Audience, MediaClaims, Scope } from "./scope";
import * as searchReads from "./search-reads";
import * as timelines from "./timelines";

export function celebrityFollowers(env: Env): number {
  const value = Number(env.CELEBRITY_FOLLOWERS);
  return Number.isInteger(value) && value > 0 ? value : 10_000;
}

/** The users service's follow graph, as the posts domain asks for it: reads, within the call's deadline. */
export function usersAudience(env: Env, ctx: CallContext): Audience {
  return {
    followerIds(authorId, query) {
      return callService(ctx, "users", (call) => env.USERS.followerIds(call, authorId, query), {
        idempotent: true,
      });
    },
  };
}

/**
 * The live service as the posts domain pushes through it (a no-op where no live worker is bound),
 * and the users service's profiles for authors the replica does not know yet.
 */
export function livePorts(env: Env, ctx: CallContext): LivePorts {
  const { LIVE } = env;
  return {
    push: LIVE
      ? async (userIds, message) =>
          (
            await callService(ctx, "live", (call) => LIVE.push(call, userIds, message), {
              idempotent: false,
            })
          ).connected
      : async () => [],
    profiles: (ids) =>
      callService(ctx, "users", (call) => env.USERS.getProfiles(call, ids), {
        idempotent: true,
        schema: z.array(ProfileSummary),
      }),
  };
}

/** The media service, as the posts domain asks it to attach uploads: a write, within the call's deadline. */
export function mediaClaims(env: Env, ctx: CallContext): MediaClaims {
  return {
    claim(postId, ids) {
      return callService(
        ctx,
        "media",
        (call) => env.MEDIA.claim(call, { kind: "post", id: postId }, ids),
        { idempotent: false },
      );
    },
    async release(postId) {
      await callService(
        ctx,
        "media",
        (call) => env.MEDIA.release(call, { kind: "post", id: postId }),
        { idempotent: true },
      );
    },
  };
}

/** The queues this service's events go to, by inbox. */
export function inboxes(env: Env): Inboxes {
  return {
    users: env.USERS_INBOX,
    posts: env.POSTS_INBOX,
    comments: env.COMMENTS_INBOX,
    notifications: env.NOTIFICATIONS_INBOX,
    media: env.MEDIA_INBOX,
    search: env.SEARCH_INBOX,
  };
}

export const service = defineService<Env, Scope>({
  service: "posts",
  scope: (db, ctx, env) => ({
    db,
    ctx,
    celebrityFollowers: celebrityFollowers(env),
    media: mediaClaims(env, ctx),
  }),
  outbox: { table: outbox, inboxes },
});

/** The posts service's RPC surface. */
export class PostsService extends WorkerEntrypoint<Env> implements PostsRpc {
  readonly #service = service.attach(this.env, this.ctx);

  createPost(ctx: CallContext, input: CreatePostInput, idempotencyKey?: string) {
    return this.#publish(ctx, idempotencyKey, (scope, options) =>
      posts.createPost(scope, input, options),
    );
  }
  sharePost(ctx: CallContext, postId: string, input: ShareInput, idempotencyKey?: string) {
    return this.#publish(ctx, idempotencyKey, (scope, options) =>
      posts.sharePost(scope, postId, input, options),
    );
  }
  getPost(ctx: CallContext, postId: string) {
    return this.#service.read(ctx, (scope) => posts.getPost(scope, postId));
  }
  updatePost(ctx: CallContext, postId: string, input: UpdatePostInput) {
    return this.#service.write(ctx, (scope) => posts.updatePost(scope, postId, input));
  }
  deletePost(ctx: CallContext, postId: string) {
    return this.#service.write(ctx, (scope) => posts.deletePost(scope, postId));
  }
  like(ctx: CallContext, postId: string) {
    return this.#service.write(ctx, (scope) => likes.like(scope, postId));
  }
  unlike(ctx: CallContext, postId: string) {
    return this.#service.write(ctx, (scope) => likes.unlike(scope, postId));
  }
  userTimeline(ctx: CallContext, authorId: string, query: ListQuery) {
    return this.#service.read(ctx, (scope) => timelines.userTimeline(scope, authorId, query));
  }
  userTimelineByHandle(ctx: CallContext, handle: string, query: ListQuery) {
    return this.#service.read(ctx, (scope) => timelines.userTimelineByHandle(scope, handle, query));
  }
  homeFeed(ctx: CallContext, query: FeedQuery) {
    return this.#service.read(ctx, (scope) => timelines.homeFeed(scope, query));
  }
  homeFeedByOffset(ctx: CallContext, query: FeedOffsetQuery) {
    return this.#service.read(ctx, (scope) => timelines.homeFeedByOffset(scope, query));
  }
  publicTimeline(ctx: CallContext, tag: string | undefined, query: ListQuery) {
    return this.#service.read(ctx, (scope) => timelines.publicTimeline(scope, tag, query));
  }
  listPosts(ctx: CallContext, query: PostListQuery) {
    return this.#service.read(ctx, (scope) => listings.listPosts(scope, query));
  }
  popularTags(ctx: CallContext, limit: number) {
    return this.#service.read(ctx, (scope) => listings.popularTags(scope, limit));
  }
  reportPost(ctx: CallContext, postId: string, input: ReportInput) {
    return this.#service.write(ctx, (scope) => reports.reportPost(scope, postId, input));
  }
  listReportCases(ctx: CallContext, query: ListQuery) {
    return this.#service.read(ctx, (scope) => reports.listReportCases(scope, query));
  }
  resolveReportCase(ctx: CallContext, postId: string, input: ResolveInput) {
    return this.#service.write(ctx, (scope) => reports.resolveReportCase(scope, postId, input));
  }
  listAudit(ctx: CallContext, query: ListQuery) {
    return this.#service.read(ctx, (scope) => reports.listPostsAudit(scope, query));
  }
  postsByIds(ctx: CallContext, ids: string[]) {
    return this.#service.read(ctx, (scope) => searchReads.postsByIds(scope, ids));
  }
  postsForIndex(ctx: CallContext, query: IndexPageQuery & { ids?: string[] }) {
    return this.#service.read(ctx, (scope) => searchReads.postsForIndex(scope, query));
  }
  postAuthor(ctx: CallContext, postId: string) {
    // At the primary: a comment is accepted on its answer, however new the post (decision 0015).
    return this.#service.atPrimary(ctx, (scope) => posts.postAuthor(scope, postId));
  }
  notePresence(ctx: CallContext, userId: string) {
    // A write with no events: at the primary.
    return this.#service.atPrimary(ctx, (scope) => live.notePresence(scope, userId));
  }
  health() {
    return checkHealth("posts", this.env.DB, { producer: true });
  }

  /**
   * Writes a new post (created or shared) unless a retry of the request that wrote it, under the same
   * Idempotency-Key, finds it. The newest followers get it in the same request: when the users
   * service cannot answer in time, the post is still written and the posts inbox fans it out later.
   */
  #publish(
    ctx: CallContext,
    idempotencyKey: string | undefined,
    insert: (scope: Scope, options: posts.PublishOptions) => Promise<PostRecord>,
  ) {
    return this.#service.write(ctx, async (scope) => {
      const key =
        idempotencyKey === undefined ? undefined : parseInput(IdempotencyKey, idempotencyKey);
      const replay = key ? await posts.findByIdempotencyKey(scope, key) : null;
      if (replay) return replay;
      const record = await insert(scope, {
        idempotencyKey: key,
        firstFollowers: await firstFollowers(scope, usersAudience(this.env, scope.ctx)),
      });
      // Best effort, once the answer is on its way: the post to its author's connected followers.
      this.ctx.waitUntil(this.#pushNewPost(scope, record));
      return record;
    });
  }

  /** A failed push is logged and never retried: the feed has the post (decision 0014). */
  async #pushNewPost(scope: Scope, record: PostRecord): Promise<void> {
    try {
      await live.pushNewPost(
        scope.db,
        livePorts(this.env, scope.ctx),
        { postId: record.id, authorId: record.authorId },
        scope.ctx.requestId,
      );
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "warn",
          message: "live push failed",
          requestId: scope.ctx.requestId,
          error: describeError(error),
        }),
      );
    }
  }
}

// Each RPC method is a span of the caller's trace (kit/trace.ts).
traceEntrypoint(PostsService, "posts");

/** The newest followers of an author, or null when the users service does not answer in time. */
async function firstFollowers(
  scope: Scope,
  audience: Audience,
): Promise<posts.FirstFollowers | null> {
  const authorId = actor(scope);
  try {
    const page = await audience.followerIds(authorId, { limit: SYNC_FANOUT });
    return { ids: page.items, total: page.total };
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "warn",
        requestId: scope.ctx.requestId,
        message: "sync fan-out skipped",
        error: describeError(error),
      }),
    );
    return null;
  }
}
