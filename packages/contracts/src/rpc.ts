import type {
  CommentRecord,
  CreateCommentInput,
  ReportInput,
  UpdateCommentInput,
} from "./comments";
import type { CallContext, ListQuery, Page } from "./common";
import type { Result } from "./errors";
import type { MarkReadInput, NotificationRecord } from "./notifications";
import type { CreatePostInput, LikeState, PostRecord, ShareInput, UpdatePostInput } from "./posts";
import type {
  FriendRequest,
  LoginInput,
  Profile,
  ProfileSummary,
  RegisterInput,
  UpdateMeInput,
  User,
} from "./users";

export type Health = { service: string; ok: boolean; detail?: string };

/** The users service as other workers call it through a service binding. */
export interface UsersRpc {
  register(ctx: CallContext, input: RegisterInput): Promise<Result<User>>;
  login(ctx: CallContext, input: LoginInput): Promise<Result<User>>;
  getMe(ctx: CallContext): Promise<Result<User>>;
  updateMe(ctx: CallContext, input: UpdateMeInput): Promise<Result<User>>;
  deleteMe(ctx: CallContext): Promise<Result<null>>;
  getProfile(ctx: CallContext, handle: string): Promise<Result<Profile>>;
  getProfiles(ctx: CallContext, ids: string[]): Promise<Result<ProfileSummary[]>>;
  getProfilesByHandles(ctx: CallContext, handles: string[]): Promise<Result<ProfileSummary[]>>;
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
  /** Follower ids of a user, newest follow first, for fan-out. */
  followerIds(ctx: CallContext, userId: string, query: ListQuery): Promise<Result<Page<string>>>;
  /** Accounts the user follows whose follower count is at least `minFollowers` (read-time merge). */
  followeeIdsWithMinFollowers(
    ctx: CallContext,
    userId: string,
    minFollowers: number,
  ): Promise<Result<string[]>>;
  health(): Promise<Health>;
}

/** The posts service as other workers call it. */
export interface PostsRpc {
  createPost(
    ctx: CallContext,
    input: CreatePostInput,
    idempotencyKey?: string,
  ): Promise<Result<PostRecord>>;
  sharePost(
    ctx: CallContext,
    postId: string,
    input: ShareInput,
    idempotencyKey?: string,
  ): Promise<Result<PostRecord>>;
  getPost(ctx: CallContext, postId: string): Promise<Result<PostRecord>>;
  updatePost(ctx: CallContext, postId: string, input: UpdatePostInput): Promise<Result<PostRecord>>;
  deletePost(ctx: CallContext, postId: string): Promise<Result<null>>;
  like(ctx: CallContext, postId: string): Promise<Result<LikeState>>;
  unlike(ctx: CallContext, postId: string): Promise<Result<LikeState>>;
  userTimeline(
    ctx: CallContext,
    authorId: string,
    query: ListQuery,
  ): Promise<Result<Page<PostRecord>>>;
  homeFeed(ctx: CallContext, query: ListQuery): Promise<Result<Page<PostRecord>>>;
  publicTimeline(
    ctx: CallContext,
    tag: string | undefined,
    query: ListQuery,
  ): Promise<Result<Page<PostRecord>>>;
  /** The author of a post, for services that authorize against it; not_found when it does not exist. */
  postAuthor(
    ctx: CallContext,
    postId: string,
  ): Promise<Result<{ postId: string; authorId: string }>>;
  health(): Promise<Health>;
}

/** The comments service as other workers call it. */
export interface CommentsRpc {
  createComment(
    ctx: CallContext,
    postId: string,
    input: CreateCommentInput,
  ): Promise<Result<CommentRecord>>;
  listComments(
    ctx: CallContext,
    postId: string,
    query: ListQuery,
  ): Promise<Result<Page<CommentRecord>>>;
  updateComment(
    ctx: CallContext,
    commentId: string,
    input: UpdateCommentInput,
  ): Promise<Result<CommentRecord>>;
  deleteComment(ctx: CallContext, commentId: string): Promise<Result<null>>;
  reportComment(ctx: CallContext, commentId: string, input: ReportInput): Promise<Result<null>>;
  approveComment(ctx: CallContext, commentId: string): Promise<Result<CommentRecord>>;
  health(): Promise<Health>;
}

/** The notifications service as other workers call it. */
export interface NotificationsRpc {
  list(
    ctx: CallContext,
    query: ListQuery,
  ): Promise<Result<Page<NotificationRecord> & { unreadCount: number }>>;
  markRead(ctx: CallContext, input: MarkReadInput): Promise<Result<{ unreadCount: number }>>;
  health(): Promise<Health>;
}
