import { WorkerEntrypoint } from "cloudflare:workers";
import type {
  CallContext,
  ListQuery,
  LoginInput,
  RegisterInput,
  Result,
  UpdateAccountInput,
  UpdateMeInput,
  UsersRpc,
} from "@flock/contracts";
import {
  checkHealth,
  createDb,
  type Inboxes,
  parseInput,
  relayOutbox,
  serve,
  withFaults,
} from "@flock/kit";
import { z } from "zod";
import * as accounts from "./accounts";
import { bindings } from "./bindings";
import { outbox } from "./db/schema";
import type { Env } from "./env";
import * as follows from "./follows";
import * as friends from "./friends";
import * as profiles from "./profiles";
import type { Scope } from "./scope";

export function inboxes(env: Env): Inboxes {
  return {
    posts: env.POSTS_INBOX,
    comments: env.COMMENTS_INBOX,
    notifications: env.NOTIFICATIONS_INBOX,
  };
}

export function relay(env: Env) {
  return relayOutbox(createDb(env.DB), outbox, inboxes(env));
}

const Ids = z.array(z.string().max(64)).max(1000);

/** The users service's RPC surface. Each method validates its call, runs domain logic, and reports a Result. */
export class UsersService extends WorkerEntrypoint<Env> implements UsersRpc {
  register(ctx: CallContext, input: RegisterInput) {
    return this.#write(ctx, (scope) => accounts.register(scope, input));
  }
  login(ctx: CallContext, input: LoginInput) {
    return this.#read(ctx, (scope) => accounts.login(scope, input));
  }
  getMe(ctx: CallContext) {
    return this.#read(ctx, accounts.getMe);
  }
  updateMe(ctx: CallContext, input: UpdateMeInput) {
    return this.#write(ctx, (scope) => accounts.updateMe(scope, input));
  }
  updateAccount(ctx: CallContext, input: UpdateAccountInput) {
    return this.#write(ctx, (scope) => accounts.updateAccount(scope, input));
  }
  deleteMe(ctx: CallContext) {
    return this.#write(ctx, accounts.deleteMe);
  }
  getProfile(ctx: CallContext, handle: string) {
    return this.#read(ctx, (scope) => profiles.getProfile(scope, handle));
  }
  getProfiles(ctx: CallContext, ids: string[]) {
    return this.#read(ctx, (scope) => profiles.getProfiles(scope, parseInput(Ids, ids)));
  }
  getProfilesByHandles(ctx: CallContext, handles: string[]) {
    return this.#read(ctx, (scope) =>
      profiles.getProfilesByHandles(scope, parseInput(Ids, handles)),
    );
  }
  follow(ctx: CallContext, handle: string) {
    return this.#write(ctx, (scope) => follows.follow(scope, handle));
  }
  unfollow(ctx: CallContext, handle: string) {
    return this.#write(ctx, (scope) => follows.unfollow(scope, handle));
  }
  listFollowers(ctx: CallContext, handle: string, query: ListQuery) {
    return this.#read(ctx, (scope) => follows.listFollowers(scope, handle, query));
  }
  listFollowing(ctx: CallContext, handle: string, query: ListQuery) {
    return this.#read(ctx, (scope) => follows.listFollowing(scope, handle, query));
  }
  listFriends(ctx: CallContext, handle: string, query: ListQuery) {
    return this.#read(ctx, (scope) => friends.listFriends(scope, handle, query));
  }
  sendFriendRequest(ctx: CallContext, handle: string) {
    return this.#write(ctx, (scope) => friends.sendFriendRequest(scope, handle));
  }
  listFriendRequests(ctx: CallContext, direction: "incoming" | "outgoing", query: ListQuery) {
    return this.#read(ctx, (scope) => friends.listFriendRequests(scope, direction, query));
  }
  acceptFriendRequest(ctx: CallContext, id: string) {
    return this.#write(ctx, (scope) => friends.acceptFriendRequest(scope, id));
  }
  declineFriendRequest(ctx: CallContext, id: string) {
    return this.#write(ctx, (scope) => friends.declineFriendRequest(scope, id));
  }
  cancelFriendRequest(ctx: CallContext, id: string) {
    return this.#write(ctx, (scope) => friends.cancelFriendRequest(scope, id));
  }
  unfriend(ctx: CallContext, handle: string) {
    return this.#write(ctx, (scope) => friends.unfriend(scope, handle));
  }
  followerIds(ctx: CallContext, userId: string, query: ListQuery) {
    return this.#read(ctx, (scope) => follows.followerIds(scope, userId, query));
  }
  followedAmong(ctx: CallContext, userId: string, candidates: string[]) {
    return this.#read(ctx, (scope) =>
      follows.followedAmong(scope, userId, parseInput(Ids, candidates)),
    );
  }
  health() {
    return checkHealth("users", this.env.DB);
  }

  #read<T>(ctx: CallContext, operation: (scope: Scope) => Promise<T>): Promise<Result<T>> {
    return serve({
      service: "users",
      env: withFaults(this.env, bindings),
      ctx,
      run: (db, call) => operation({ db, ctx: call }),
    });
  }

  /** A write may have put events in the outbox: send them once the answer is on its way. */
  async #write<T>(ctx: CallContext, operation: (scope: Scope) => Promise<T>): Promise<Result<T>> {
    const result = await this.#read(ctx, operation);
    if (result.ok) this.ctx.waitUntil(relay(withFaults(this.env, bindings)));
    return result;
  }
}
