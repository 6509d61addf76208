import { z } from "zod";
import type { CallContext, Health, ListQuery, Standing } from "./common";
import { Handle, Id, Page, Role, Timestamp } from "./common";
import type { Result } from "./errors";
import type { AuditEntry, ModeratedAccount, SuspendInput } from "./moderation";
import type { IndexPageQuery } from "./search";

const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email("must be a valid email address"))
  .transform((email) => email.toLowerCase());
const Password = z.string().min(8, "must be at least 8 characters").max(200);
const DisplayName = z.string().trim().min(1).max(50);
const Bio = z.string().trim().max(500);
/**
 * An avatar: an image flock hosts (`/media/<id>`, set through PATCH /v1/me's avatarMediaId) or any
 * http(s) URL, which only the compatibility facade still lets a client set (/v1 refuses one).
 */
const AvatarUrl = z.union([
  z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(500),
  z.string().regex(/^\/media\/[0-9A-HJKMNP-TV-Z]{26}$/),
]);

export const RegisterInput = z
  .object({
    handle: Handle,
    email: Email,
    password: Password,
    displayName: DisplayName.optional(),
  })
  .meta({ id: "RegisterInput" });
export type RegisterInput = z.infer<typeof RegisterInput>;

export const LoginInput = z
  .object({
    login: z.string().trim().min(1).max(254),
    password: z.string().min(1).max(200),
  })
  .meta({ id: "LoginInput" });
export type LoginInput = z.infer<typeof LoginInput>;

const AccountChanges = z.object({
  displayName: DisplayName.optional(),
  bio: Bio.nullable().optional(),
  avatarUrl: AvatarUrl.nullable().optional(),
  email: Email.optional(),
  password: Password.optional(),
});

/** What the users service's updateMe takes: a new email or password also needs the current password. */
export const UpdateMeInput = AccountChanges.extend({
  currentPassword: z
    .string()
    .max(200)
    .optional()
    .describe("Your current password: required to change `email` or `password`"),
});
export type UpdateMeInput = z.infer<typeof UpdateMeInput>;

/**
 * What PATCH /v1/me takes: the account changes, with the avatar as one of your uploads rather than
 * a URL (an image anyone could point at a tracker is not accepted on /v1).
 */
export const UpdateMeRequest = UpdateMeInput.omit({ avatarUrl: true })
  .extend({
    avatarMediaId: Id.nullable()
      .optional()
      .describe("One of your uploads (POST /v1/media) to show as your avatar; null removes it"),
    // Unknown fields are ignored, but an older client's avatarUrl is told it is refused.
    avatarUrl: z
      .unknown()
      .refine((value) => value === undefined, {
        message: "is not accepted: upload the image (POST /v1/media) and send avatarMediaId",
      })
      .optional()
      .describe("Not accepted: use avatarMediaId"),
  })
  .meta({ id: "UpdateMeInput" });
export type UpdateMeRequest = z.infer<typeof UpdateMeRequest>;

/** What DELETE /v1/me takes: the account's password, so a stolen token alone cannot delete it. */
export const DeleteMeInput = z
  .object({
    password: z.string().max(200).optional().describe("Your password: required (403 without it)"),
  })
  .meta({ id: "DeleteMeInput" });
export type DeleteMeInput = z.infer<typeof DeleteMeInput>;

const MailedToken = z.string().trim().min(1).max(200).describe("The token of the mailed link");

/** What POST /v1/auth/password-reset takes: the address the account was registered with. */
export const PasswordResetRequest = z.object({ email: Email }).meta({ id: "PasswordResetRequest" });
export type PasswordResetRequest = z.infer<typeof PasswordResetRequest>;

/** What POST /v1/auth/password-reset answers, the same for every address. */
export const PasswordResetAccepted = z
  .object({ status: z.literal("accepted"), detail: z.string() })
  .meta({ id: "PasswordResetAccepted" });
export type PasswordResetAccepted = z.infer<typeof PasswordResetAccepted>;

/** What POST /v1/auth/password-reset/confirm takes: the mailed token and the new password. */
export const PasswordResetConfirm = z
  .object({ token: MailedToken, password: Password })
  .meta({ id: "PasswordResetConfirm" });
export type PasswordResetConfirm = z.infer<typeof PasswordResetConfirm>;

/** What POST /v1/auth/verify-email takes: the token of the mailed link. */
export const VerifyEmailInput = z.object({ token: MailedToken }).meta({ id: "VerifyEmailInput" });
export type VerifyEmailInput = z.infer<typeof VerifyEmailInput>;

/** A path's `{handle}`: any short string, so a handle of the wrong shape is not found like any other. */
export const HandleParam = z.object({ handle: z.string().min(1).max(64) });

/**
 * An account change that may also rename the account: a new handle, unique like the first one.
 * `/v1` keeps handles fixed: its PATCH /v1/me takes UpdateMeInput, which drops a `handle`. It has no
 * `currentPassword`: it serves a client whose protocol has no field for one.
 */
export const UpdateAccountInput = AccountChanges.extend({ handle: Handle.optional() });
export type UpdateAccountInput = z.infer<typeof UpdateAccountInput>;

/** The signed-in user's own account: the only shape that carries the email. */
export const User = z
  .object({
    id: Id,
    handle: z.string(),
    email: z.string(),
    emailVerified: z
      .boolean()
      .describe(
        "Whether the current email was proved by its mailed link; false again after a change",
      ),
    displayName: z.string(),
    bio: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    role: Role.describe("`moderator` for accounts that work the moderation queue"),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "User" });
export type User = z.infer<typeof User>;

export const ProfileSummary = z
  .object({
    id: Id,
    handle: z.string(),
    displayName: z.string(),
    avatarUrl: z.string().nullable(),
  })
  .meta({ id: "ProfileSummary" });
export type ProfileSummary = z.infer<typeof ProfileSummary>;

export const ProfileSummaryPage = Page(ProfileSummary).meta({ id: "ProfileSummaryPage" });
export type ProfileSummaryPage = z.infer<typeof ProfileSummaryPage>;

/** A profile as one reader sees it in a list: with its bio and whether the reader follows it. */
export const ProfileCard = ProfileSummary.extend({
  bio: z.string().nullable(),
  following: z.boolean(),
});
export type ProfileCard = z.infer<typeof ProfileCard>;

export const Friendship = z
  .enum(["none", "outgoing", "incoming", "friends"])
  .meta({ id: "Friendship" });
export type Friendship = z.infer<typeof Friendship>;

export const ProfileViewer = z
  .object({
    following: z.boolean(),
    followedBy: z.boolean(),
    friendship: Friendship,
    blocking: z.boolean().describe("Whether you block this account"),
    blockedBy: z.boolean().describe("Whether this account blocks you"),
    muting: z.boolean().describe("Whether you mute this account (it is not told)"),
  })
  .meta({ id: "ProfileViewer" });
export type ProfileViewer = z.infer<typeof ProfileViewer>;

export const Profile = ProfileSummary.extend({
  bio: z.string().nullable(),
  createdAt: Timestamp,
  followerCount: z.number().int(),
  followingCount: z.number().int(),
  postCount: z.number().int(),
  viewer: ProfileViewer.optional(),
}).meta({ id: "Profile" });
export type Profile = z.infer<typeof Profile>;

/** A sign-in as the users service records it: the account and the session a new token will name. */
/** A new session, with its account's standing, which the gateway then trusts until its next check. */
export type SignIn = { user: User; sessionId: string; standing: Standing };

/** What a client tells about itself when it signs in, shown in its list of sessions. */
export const Device = z.object({ userAgent: z.string().max(500).nullable() });
export type Device = z.infer<typeof Device>;

/** One signed-in session of yours, as GET /v1/me/sessions lists it. */
export const Session = z
  .object({
    id: Id,
    createdAt: Timestamp,
    lastUsedAt: Timestamp,
    userAgent: z.string().nullable(),
    current: z.boolean().describe("Whether this request's token names this session"),
  })
  .meta({ id: "Session" });
export type Session = z.infer<typeof Session>;

export const SessionList = z.object({ items: z.array(Session) }).meta({ id: "SessionList" });
export type SessionList = z.infer<typeof SessionList>;

export const AuthResponse = z
  .object({ user: User, token: z.string() })
  .meta({ id: "AuthResponse" });
export type AuthResponse = z.infer<typeof AuthResponse>;

export const FriendRequestStatus = z
  .enum(["pending", "accepted", "declined", "canceled"])
  .meta({ id: "FriendRequestStatus" });

export const FriendRequest = z
  .object({
    id: Id,
    from: ProfileSummary,
    to: ProfileSummary,
    status: FriendRequestStatus,
    createdAt: Timestamp,
  })
  .meta({ id: "FriendRequest" });
export type FriendRequest = z.infer<typeof FriendRequest>;

export const FriendRequestPage = Page(FriendRequest).meta({ id: "FriendRequestPage" });
export type FriendRequestPage = z.infer<typeof FriendRequestPage>;

export const FriendRequestQuery = z.object({
  direction: z.enum(["incoming", "outgoing"]).default("incoming"),
});

/** The users service as other workers call it through a service binding. */
export interface UsersRpc {
  /** Creates the account and its first session. */
  register(ctx: CallContext, input: RegisterInput, device: Device): Promise<Result<SignIn>>;
  /** Checks the credentials and opens a new session. */
  login(ctx: CallContext, input: LoginInput, device: Device): Promise<Result<SignIn>>;
  /**
   * The actor's standing when the session is live and theirs, else null: the gateway asks before it
   * trusts a token (and caches the answer briefly). Records when the session was last used, at most
   * once a minute.
   */
  checkSession(ctx: CallContext, sessionId: string): Promise<Result<Standing | null>>;
  /** The actor's live sessions, most recently created first, the caller's own marked current. */
  listSessions(ctx: CallContext): Promise<Result<SessionList>>;
  /** Ends one of the actor's sessions (the current one too: that is logging out); another's is not found. */
  endSession(ctx: CallContext, sessionId: string): Promise<Result<null>>;
  /** Ends every session of the actor but the current one. */
  endOtherSessions(ctx: CallContext): Promise<Result<null>>;
  /**
   * Mails a single-use password-reset link (valid an hour) to the account with this email, replacing
   * any earlier unused one; answers the same, after the same work, when no account has it.
   */
  requestPasswordReset(ctx: CallContext, input: PasswordResetRequest): Promise<Result<null>>;
  /**
   * Sets a new password with a mailed reset token, uses the token up and ends every session of the
   * account, whose id it answers (the gateway forgets those sessions). A used, expired or unknown
   * token is a bad request.
   */
  confirmPasswordReset(
    ctx: CallContext,
    input: PasswordResetConfirm,
  ): Promise<Result<{ userId: string }>>;
  /** Marks the email a mailed verification token was sent to as verified, while it is still the account's. */
  verifyEmail(ctx: CallContext, input: VerifyEmailInput): Promise<Result<null>>;
  /** Mails the actor a new verification link for their current email, replacing any unused one. */
  resendVerification(ctx: CallContext): Promise<Result<null>>;
  getMe(ctx: CallContext): Promise<Result<User>>;
  /** A new email or password needs `currentPassword` (forbidden otherwise); a new password ends the other sessions. */
  updateMe(ctx: CallContext, input: UpdateMeInput): Promise<Result<User>>;
  /**
   * updateMe that may also change the handle and asks no current password; a new password still
   * ends the other sessions. A handle another account has is a conflict.
   */
  updateAccount(ctx: CallContext, input: UpdateAccountInput): Promise<Result<User>>;
  /** Deletes the account, every session with it, once the password is confirmed (forbidden otherwise). */
  deleteMe(ctx: CallContext, input: DeleteMeInput): Promise<Result<null>>;
  getProfile(ctx: CallContext, handle: string): Promise<Result<Profile>>;
  /** Profile cards for many ids in one query, `following` as the caller sees it; unknown ids left out. */
  getProfiles(ctx: CallContext, ids: string[]): Promise<Result<ProfileCard[]>>;
  getProfilesByHandles(ctx: CallContext, handles: string[]): Promise<Result<ProfileSummary[]>>;
  /** Every account's summary, a page in id order after a cursor (the search index's rebuild). */
  profilesForIndex(ctx: CallContext, query: IndexPageQuery): Promise<Result<Page<ProfileSummary>>>;
  follow(ctx: CallContext, handle: string): Promise<Result<Profile>>;
  unfollow(ctx: CallContext, handle: string): Promise<Result<Profile>>;
  listFollowers(
    ctx: CallContext,
    handle: string,
    query: ListQuery,
  ): Promise<Result<Page<ProfileSummary>>>;
  listFollowing(
    ctx: CallContext,
    handle: string,
    query: ListQuery,
  ): Promise<Result<Page<ProfileSummary>>>;
  listFriends(
    ctx: CallContext,
    handle: string,
    query: ListQuery,
  ): Promise<Result<Page<ProfileSummary>>>;
  sendFriendRequest(ctx: CallContext, handle: string): Promise<Result<FriendRequest>>;
  listFriendRequests(
    ctx: CallContext,
    direction: "incoming" | "outgoing",
    query: ListQuery,
  ): Promise<Result<Page<FriendRequest>>>;
  acceptFriendRequest(ctx: CallContext, id: string): Promise<Result<FriendRequest>>;
  declineFriendRequest(ctx: CallContext, id: string): Promise<Result<FriendRequest>>;
  cancelFriendRequest(ctx: CallContext, id: string): Promise<Result<null>>;
  unfriend(ctx: CallContext, handle: string): Promise<Result<Profile>>;
  /** Blocks an account (idempotent): ends follows, pending friend requests and a friendship both ways. */
  block(ctx: CallContext, handle: string): Promise<Result<Profile>>;
  unblock(ctx: CallContext, handle: string): Promise<Result<Profile>>;
  /** Mutes an account (idempotent); the muted account is not told. */
  mute(ctx: CallContext, handle: string): Promise<Result<Profile>>;
  unmute(ctx: CallContext, handle: string): Promise<Result<Profile>>;
  /** The accounts the actor blocks, newest block first. */
  listBlocks(ctx: CallContext, query: ListQuery): Promise<Result<Page<ProfileSummary>>>;
  /** The accounts the actor mutes, newest mute first. */
  listMutes(ctx: CallContext, query: ListQuery): Promise<Result<Page<ProfileSummary>>>;
  /** Follower ids of a user, newest follow first, for fan-out. */
  followerIds(
    ctx: CallContext,
    userId: string,
    query: ListQuery,
  ): Promise<Result<Page<string> & { total: number }>>;
  /** Moderators only (checked against this service's own record of the actor): an account's standing. */
  getModeratedAccount(ctx: CallContext, handle: string): Promise<Result<ModeratedAccount>>;
  /** Moderators only: suspends an account (not a moderator's), once; the audit log records it. */
  suspendAccount(
    ctx: CallContext,
    handle: string,
    input: SuspendInput,
  ): Promise<Result<ModeratedAccount>>;
  unsuspendAccount(
    ctx: CallContext,
    handle: string,
    input: SuspendInput,
  ): Promise<Result<ModeratedAccount>>;
  /** Moderators only: this service's audit log, newest first. */
  listAudit(ctx: CallContext, query: ListQuery): Promise<Result<Page<AuditEntry>>>;
  health(): Promise<Health>;
}
