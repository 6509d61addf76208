import { WorkerEntrypoint } from "cloudflare:workers";
import type {
  CallContext,
  DeleteMeInput,
  Device,
  IndexPageQuery,
  ListQuery,
  LoginInput,
  PasswordResetConfirm,
  PasswordResetRequest,
  RegisterInput,
  SuspendInput,
  UpdateAccountInput,
  UpdateMeInput,
  UsersRpc,
  VerifyEmailInput,
} from "@flock/contracts";
import { checkHealth, defineService, type Inboxes, parseInput, traceEntrypoint } from "@flock/kit";
import { z } from "zod";
import * as accounts from "./accounts";
import * as blocks from "./blocks";
import { outbox } from "./db/schema";
import * as emailTokens from "./email-tokens";
import type { Env } from "./env";
import * as follows from "./follows";
import * as friends from "./friends";
import { mailer } from "./mail";
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
    media: env.MEDIA_INBOX,
    search: env.SEARCH_INBOX,
  };
}

export const service = defineService<Env, Scope>({
  service: "users",
  scope: (db, ctx, env, execution) => ({ db, ctx, mailer: mailer(env, execution, ctx.requestId) }),
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
    // A write (it opens a session) that produces no events: nothing to relay. At the primary, where
    // the newest password is (decision 0015).
    return this.#service.atPrimary(ctx, (scope) => accounts.login(scope, input, device));
  }
  checkSession(ctx: CallContext, sessionId: string) {
    // Touching lastUsedAt is its only write, and it produces no events: nothing to relay. At the
    // primary: a replica behind a logout would let an ended session through (decision 0015).
    return this.#service.atPrimary(ctx, (scope) =>
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
  requestPasswordReset(ctx: CallContext, input: PasswordResetRequest) {
    // It mails, and produces no events: nothing to relay.
    return this.#service.atPrimary(ctx, (scope) => emailTokens.requestPasswordReset(scope, input));
  }
  confirmPasswordReset(ctx: CallContext, input: PasswordResetConfirm) {
    return this.#service.atPrimary(ctx, (scope) => emailTokens.confirmPasswordReset(scope, input));
  }
  verifyEmail(ctx: CallContext, input: VerifyEmailInput) {
    return this.#service.atPrimary(ctx, (scope) => emailTokens.verifyEmail(scope, input));
  }
  resendVerification(ctx: CallContext) {
    return this.#service.atPrimary(ctx, emailTokens.resendVerification);
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
  profilesForIndex(ctx: CallContext, query: IndexPageQuery) {
    return this.#service.read(ctx, (scope) => profiles.profilesForIndex(scope, query));
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
  block(ctx: CallContext, handle: string) {
    return this.#service.write(ctx, (scope) => blocks.block(scope, handle));
  }
  unblock(ctx: CallContext, handle: string) {
    return this.#service.write(ctx, (scope) => blocks.unblock(scope, handle));
  }
  mute(ctx: CallContext, handle: string) {
    return this.#service.write(ctx, (scope) => blocks.mute(scope, handle));
  }
  unmute(ctx: CallContext, handle: string) {
    return this.#service.write(ctx, (scope) => blocks.unmute(scope, handle));
  }
  listBlocks(ctx: CallContext, query: ListQuery) {
    return this.#service.read(ctx, (scope) => blocks.listRestricted(scope, "blocks", query));
  }
  listMutes(ctx: CallContext, query: ListQuery) {
    return this.#service.read(ctx, (scope) => blocks.listRestricted(scope, "mutes", query));
  }
  followerIds(ctx: CallContext, userId: string, query: ListQuery) {
    // At the primary: a post fans out to these, and a follow a replica has not seen would miss it.
    return this.#service.atPrimary(ctx, (scope) => follows.followerIds(scope, userId, query));
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
    return checkHealth("users", this.env.DB, { producer: true });
  }
}

// Each RPC method is a span of the caller's trace (kit/trace.ts).
traceEntrypoint(UsersService, "users");
