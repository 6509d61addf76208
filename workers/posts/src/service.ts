import { WorkerEntrypoint } from "cloudflare:workers";
import type {
  CallContext,
  CreatePostInput,
  FeedOffsetQuery,
  FeedQuery,
  ListQuery,
  PostListQuery,
  PostsRpc,
  Result,
  ShareInput,
  UpdatePostInput,
} from "@flock/contracts";
import { IdempotencyKey } from "@flock/contracts";
import {
  AppError,
  checkHealth,
  createDb,
  type Inboxes,
  parseInput,
  relayOutbox,
  serve,
  unwrap,
  withFaults,
} from "@flock/kit";
import { z } from "zod";
import { bindings } from "./bindings";
import { outbox } from "./db/schema";
import type { Env } from "./env";
import { SYNC_FANOUT } from "./fanout";
import * as likes from "./likes";
import * as listings from "./listings";
import * as posts from "./posts";
import type { Audience, Scope } from "./scope";
import * as timelines from "./timelines";

export function inboxes(env: Env): Inboxes {
  return {
    users: env.USERS_INBOX,
    posts: env.POSTS_INBOX,
    comments: env.COMMENTS_INBOX,
    notifications: env.NOTIFICATIONS_INBOX,
  };
}

export function relay(env: Env) {
  return relayOutbox(createDb(env.DB), outbox, inboxes(env));
}

export function celebrityFollowers(env: Env): number {
  const value = Number(env.CELEBRITY_FOLLOWERS);
  return Number.isInteger(value) && value > 0 ? value : 10_000;
}

/** The users service's follow graph, as the posts domain asks for it. */
export function usersAudience(env: Env, ctx: CallContext): Audience {
  return {
    async followerIds(authorId, query) {
      return unwrap(await env.USERS.followerIds(ctx, authorId, query));
    },
    async celebritiesFollowedBy(readerId, celebrities) {
      return unwrap(await env.USERS.followedAmong(ctx, readerId, [...celebrities]));
    },
  };
}

/** The posts service's RPC surface. */
export class PostsService extends WorkerEntrypoint<Env> implements PostsRpc {
  createPost(ctx: CallContext, input: CreatePostInput, idempotencyKey?: string) {
    return this.#write(ctx, async (scope) => {
      const key =
        idempotencyKey === undefined ? undefined : parseInput(IdempotencyKey, idempotencyKey);
      const replay = key ? await posts.findByIdempotencyKey(scope, key) : null;
      if (replay) return replay;
      return posts.createPost(scope, input, {
        idempotencyKey: key,
        firstFollowers: await this.#firstFollowers(ctx),
      });
    });
  }
  sharePost(ctx: CallContext, postId: string, input: ShareInput, idempotencyKey?: string) {
    return this.#write(ctx, async (scope) => {
      const key =
        idempotencyKey === undefined ? undefined : parseInput(IdempotencyKey, idempotencyKey);
      const replay = key ? await posts.findByIdempotencyKey(scope, key) : null;
      if (replay) return replay;
      return posts.sharePost(scope, postId, input, {
        idempotencyKey: key,
        firstFollowers: await this.#firstFollowers(ctx),
      });
    });
  }
  getPost(ctx: CallContext, postId: string) {
    return this.#read(ctx, (scope) => posts.getPost(scope, postId));
  }
  updatePost(ctx: CallContext, postId: string, input: UpdatePostInput) {
    return this.#write(ctx, (scope) => posts.updatePost(scope, postId, input));
  }
  deletePost(ctx: CallContext, postId: string) {
    return this.#write(ctx, (scope) => posts.deletePost(scope, postId));
  }
  like(ctx: CallContext, postId: string) {
    return this.#write(ctx, (scope) => likes.like(scope, postId));
  }
  unlike(ctx: CallContext, postId: string) {
    return this.#write(ctx, (scope) => likes.unlike(scope, postId));
  }
  userTimeline(ctx: CallContext, authorId: string, query: ListQuery) {
    return this.#read(ctx, (scope) => timelines.userTimeline(scope, authorId, query));
  }
  userTimelineByHandle(ctx: CallContext, handle: string, query: ListQuery) {
    return this.#read(ctx, (scope) => timelines.userTimelineByHandle(scope, handle, query));
  }
  homeFeed(ctx: CallContext, query: FeedQuery) {
    return this.#read(ctx, (scope) =>
      timelines.homeFeed(scope, usersAudience(this.#env, scope.ctx), query),
    );
  }
  homeFeedByOffset(ctx: CallContext, query: FeedOffsetQuery) {
    return this.#read(ctx, (scope) =>
      timelines.homeFeedByOffset(scope, usersAudience(this.#env, scope.ctx), query),
    );
  }
  publicTimeline(ctx: CallContext, tag: string | undefined, query: ListQuery) {
    return this.#read(ctx, (scope) => timelines.publicTimeline(scope, tag, query));
  }
  listPosts(ctx: CallContext, query: PostListQuery) {
    return this.#read(ctx, (scope) => listings.listPosts(scope, query));
  }
  popularTags(ctx: CallContext, limit: number) {
    return this.#read(ctx, (scope) => listings.popularTags(scope, limit));
  }
  postAuthor(ctx: CallContext, postId: string) {
    return this.#read(ctx, (scope) => posts.postAuthor(scope, postId));
  }
  health() {
    return checkHealth("posts", this.env.DB);
  }

  /**
   * The newest followers, who get a new post in the same request. When the users service cannot
   * answer, the post is still written and the posts inbox fans it out to everyone later.
   */
  async #firstFollowers(ctx: CallContext): Promise<posts.FirstFollowers | null> {
    if (!ctx.actorId) throw new AppError("unauthorized", "Sign in first.");
    try {
      const page = unwrap(
        await this.#env.USERS.followerIds(ctx, ctx.actorId, { limit: SYNC_FANOUT }),
      );
      return { ids: page.items, total: page.total };
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "warn",
          requestId: ctx.requestId,
          message: "sync fan-out skipped",
          error: String(error),
        }),
      );
      return null;
    }
  }

  /** The env with any injected faults (a no-op unless a FAULTS var is set; see packages/kit/src/faults.ts). */
  get #env(): Env {
    return withFaults(this.env, bindings);
  }

  #read<T>(ctx: CallContext, operation: (scope: Scope) => Promise<T>): Promise<Result<T>> {
    return serve({
      service: "posts",
      env: this.#env,
      ctx,
      run: (db, call) =>
        operation({ db, ctx: call, celebrityFollowers: celebrityFollowers(this.#env) }),
    });
  }

  /** A write may have put events in the outbox: send them once the answer is on its way. */
  async #write<T>(ctx: CallContext, operation: (scope: Scope) => Promise<T>): Promise<Result<T>> {
    const result = await this.#read(ctx, operation);
    if (result.ok) this.ctx.waitUntil(relay(this.#env));
    return result;
  }
}
