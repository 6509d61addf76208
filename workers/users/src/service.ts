import { WorkerEntrypoint } from "cloudflare:workers";
import type {
  CallContext,
  DeleteMeInput,
  Device,
  ListQuery,
  LoginInput,
  RegisterInput,
  SuspendInput,
  UpdateAccountInput,
  UpdateMeInput,
  UsersRpc,
} from "@flock/contracts";
import { checkHealth, defineService, type Inboxes, parseInput } from "@flock/kit";
import { z } from "zod";
import * as accounts from "./accounts";
import { outbox } from "./db/schema";
import type { Env } from "./env";
import * as follows from "./follows";
import * as friends from "./friends";
import * as moderation from "./moderation";
import * as profiles from "./profiles";
import type { Scope } from "./scope";
import * as sessions from "./sessions";

/** The queues this service's events go to, by inbox. */
export function inboxes(env: Env): Inboxes {
  return {
    posts: env.POSTS_INBOX,
    comments: env.COMMENTS_INBOX,
    notifications: env.NOTIFICATIONS_INBOX,
  };
}

export const service = defineService<Env, Scope>({
  service: "users",
  scope: (db, ctx) => ({ db, ctx }),
  outbox: { table: outbox, inboxes },
});

const Ids = z.array(z.string().max(64)).max(1000);
const SessionId = z.string().max(64);

/** The users service's RPC surface. Each method validates its call, runs domain logic, and reports a Result. */
export class UsersService extends WorkerEntrypoint<Env> implements UsersRpc {
  readonly #service = service.attach(this.env, this.ctx);

  register(ctx: CallContext, input: RegisterInput, device: Device) {
    return this.#service.write(ctx, (scope) => accounts.register(scope, input, device));
  }
  login(ctx: CallContext, input: LoginInput, device: Device) {
    // A write (it opens a session) that produces no events: nothing to relay.
    return this.#service.read(ctx, (scope) => accounts.login(scope, input, device));
  }
  checkSession(ctx: CallContext, sessionId: string) {
    // Touching lastUsedAt is its only write, and it produces no events: nothing to relay.
    return this.#service.read(ctx, (scope) =>
      sessions.checkSession(scope, parseInput(SessionId, sessionId)),
    );
  }
  listSessions(ctx: CallContext) {
    return this.#service.read(ctx, sessions.listSessions);
  }
  endSession(ctx: CallContext, sessionId: string) {
    return this.#service.write(ctx, (scope) =>
      sessions.endSession(scope, parseInput(SessionId, sessionId)),
    );
  }
  endOtherSessions(ctx: CallContext) {
    return this.#service.write(ctx, sessions.endOtherSessions);
  }
  getMe(ctx: CallContext) {
    return this.#service.read(ctx, accounts.getMe);
  }
  updateMe(ctx: CallContext, input: UpdateMeInput) {
    return this.#service.write(ctx, (scope) => accounts.updateMe(scope, input));
  }
  updateAccount(ctx: CallContext, input: UpdateAccountInput) {
    return this.#service.write(ctx, (scope) => accounts.updateAccount(scope, input));
  }
  deleteMe(ctx: CallContext, input: DeleteMeInput) {
    return this.#service.write(ctx, (scope) => accounts.deleteMe(scope, input));
  }
  getProfile(ctx: CallContext, handle: string) {
    return this.#service.read(ctx, (scope) => profiles.getProfile(scope, handle));
  }
  getProfiles(ctx: CallContext, ids: string[]) {
    return this.#service.read(ctx, (scope) => profiles.getProfiles(scope, parseInput(Ids, ids)));
  }
  getProfilesByHandles(ctx: CallContext, handles: string[]) {
    return this.#service.read(ctx, (scope) =>
      profiles.getProfilesByHandles(scope, parseInput(Ids, handles)),
    );
  }
  follow(ctx: CallContext, handle: string) {
    return this.#service.write(ctx, (scope) => follows.follow(scope, handle));
  }
  unfollow(ctx: CallContext, handle: string) {
    return this.#service.write(ctx, (scope) => follows.unfollow(scope, handle));
  }
  listFollowers(ctx: CallContext, handle: string, query: ListQuery) {
    return this.#service.read(ctx, (scope) => follows.listFollowers(scope, handle, query));
  }
  listFollowing(ctx: CallContext, handle: string, query: ListQuery) {
    return this.#service.read(ctx, (scope) => follows.listFollowing(scope, handle, query));
  }
  listFriends(ctx: CallContext, handle: string, query: ListQuery) {
    return this.#service.read(ctx, (scope) => friends.listFriends(scope, handle, query));
  }
  sendFriendRequest(ctx: CallContext, handle: string) {
    return this.#service.write(ctx, (scope) => friends.sendFriendRequest(scope, handle));
  }
  listFriendRequests(ctx: CallContext, direction: "incoming" | "outgoing", query: ListQuery) {
    return this.#service.read(ctx, (scope) => friends.listFriendRequests(scope, direction, query));
  }
  acceptFriendRequest(ctx: CallContext, id: string) {
    return this.#service.write(ctx, (scope) => friends.acceptFriendRequest(scope, id));
  }
  declineFriendRequest(ctx: CallContext, id: string) {
    return this.#service.write(ctx, (scope) => friends.declineFriendRequest(scope, id));
  }
  cancelFriendRequest(ctx: CallContext, id: string) {
    return this.#service.write(ctx, (scope) => friends.cancelFriendRequest(scope, id));
  }
  unfriend(ctx: CallContext, handle: string) {
    return this.#service.write(ctx, (scope) => friends.unfriend(scope, handle));
  }
  followerIds(ctx: CallContext, userId: string, query: ListQuery) {
    return this.#service.read(ctx, (scope) => follows.followerIds(scope, userId, query));
  }
  followedAmong(ctx: CallContext, userId: string, candidates: string[]) {
    return this.#service.read(ctx, (scope) =>
      follows.followedAmong(scope, userId, parseInput(Ids, candidates)),
    );
  }
  getModeratedAccount(ctx: CallContext, handle: string) {
    return this.#service.read(ctx, (scope) => moderation.getModeratedAccount(scope, handle));
  }
  suspendAccount(ctx: CallContext, handle: string, input: SuspendInput) {
    return this.#service.write(ctx, (scope) => moderation.suspendAccount(scope, handle, input));
  }
  unsuspendAccount(ctx: CallContext, handle: string, input: SuspendInput) {
    return this.#service.write(ctx, (scope) => moderation.unsuspendAccount(scope, handle, input));
  }
  listAudit(ctx: CallContext, query: ListQuery) {
    return this.#service.read(ctx, (scope) => moderation.listModerationAudit(scope, query));
  }
  health() {
    return checkHealth("users", this.env.DB);
  }
}
