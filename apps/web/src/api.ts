// The public /v1 API, typed with the contracts package. Only types are imported, so no schema code
// reaches the browser bundle; the server validates every input and answers problem+json on failure.
import type {
  AuthResponse,
  Comment,
  CreateCommentInput,
  CreatePostInput,
  FieldError,
  FriendRequest,
  LikeState,
  LoginInput,
  MarkReadInput,
  Notification,
  Page,
  Post,
  Problem,
  Profile,
  ProfileSummary,
  RegisterInput,
  ReportInput,
  ShareInput,
  UnreadCount,
  UpdateCommentInput,
  UpdateMeInput,
  UpdatePostInput,
  User,
} from "@flock/contracts";

/** GET /v1/posts/:id?include=comments: the post with its first page of comments. */
export type PostDetail = Post & { comments?: Page<Comment> | null; missing?: string[] };

/** GET /v1/notifications: a page, how many are unread, and what could not be looked up. */
export type NotificationList = Page<Notification> & { unreadCount: number; missing?: string[] };

export type Direction = "incoming" | "outgoing";

/** A failed call, carrying what the problem+json body said. `status` 0 means no answer at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The message for one field (`path` as the server names it), if the server gave one. */
  field(path: string): string | undefined {
    return this.fieldErrors.find(
      (error) => error.path === path || error.path.startsWith(`${path}.`),
    )?.message;
  }
}

/** Readable text for anything a call threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Something went wrong. Please try again.";
}

type Auth = { token: () => string | null; onExpired: () => void };
let auth: Auth = { token: () => null, onExpired: () => {} };

/** The session plugs its token in here, and hears when the server no longer accepts it. */
export function configureAuth(next: Auth): void {
  auth = next;
}

type Options = { body?: unknown; idempotencyKey?: string; signal?: AbortSignal };

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "title" in value && "status" in value;
}

async function send(method: string, path: string, options: Options = {}): Promise<unknown> {
  const headers: Record<string, string> = { accept: "application/json" };
  const token = auth.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "Could not reach flock. Check your connection and try again.");
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.ok) return data;
  if (response.status === 401 && token) auth.onExpired();
  if (isProblem(data)) {
    const retry = response.headers.get("retry-after");
    const detail = data.detail ?? data.title;
    throw new ApiError(
      response.status,
      retry ? `${detail} Try again in ${retry} seconds.` : detail,
      data.errors ?? [],
    );
  }
  throw new ApiError(response.status, `The server answered ${response.status}. Please try again.`);
}

// The server's answers are trusted to match the contracts they were generated from.
const get = <T>(path: string, signal?: AbortSignal) => send("GET", path, { signal }) as Promise<T>;
const call = <T>(method: string, path: string, options?: Options) =>
  send(method, path, options) as Promise<T>;
const done = async (method: string, path: string, options?: Options): Promise<void> => {
  await send(method, path, options);
};

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

const e = encodeURIComponent;

/** Arguments every list call takes. */
export type PageQuery = { cursor?: string | null; limit?: number; signal?: AbortSignal };
const page = ({ cursor, limit }: PageQuery) => ({ cursor, limit });

export const api = {
  register: (input: RegisterInput) =>
    call<AuthResponse>("POST", "/v1/auth/register", { body: input }),
  login: (input: LoginInput) => call<AuthResponse>("POST", "/v1/auth/login", { body: input }),

  me: (signal?: AbortSignal) => get<User>("/v1/me", signal),
  updateMe: (input: UpdateMeInput) => call<User>("PATCH", "/v1/me", { body: input }),
  deleteMe: () => done("DELETE", "/v1/me"),
  friendRequests: (direction: Direction, q: PageQuery = {}) =>
    get<Page<FriendRequest>>(`/v1/me/friend-requests${query({ direction, ...page(q) })}`, q.signal),
  acceptFriendRequest: (id: string) =>
    call<FriendRequest>("POST", `/v1/me/friend-requests/${e(id)}/accept`),
  declineFriendRequest: (id: string) =>
    call<FriendRequest>("POST", `/v1/me/friend-requests/${e(id)}/decline`),
  cancelFriendRequest: (id: string) => done("DELETE", `/v1/me/friend-requests/${e(id)}`),

  profile: (handle: string, signal?: AbortSignal) => get<Profile>(`/v1/users/${e(handle)}`, signal),
  follow: (handle: string) => call<Profile>("PUT", `/v1/users/${e(handle)}/follow`),
  unfollow: (handle: string) => call<Profile>("DELETE", `/v1/users/${e(handle)}/follow`),
  people: (handle: string, list: "followers" | "following" | "friends", q: PageQuery = {}) =>
    get<Page<ProfileSummary>>(`/v1/users/${e(handle)}/${list}${query(page(q))}`, q.signal),
  sendFriendRequest: (handle: string) =>
    call<FriendRequest>("POST", `/v1/users/${e(handle)}/friend-request`),
  unfriend: (handle: string) => call<Profile>("DELETE", `/v1/users/${e(handle)}/friend`),
  userPosts: (handle: string, q: PageQuery = {}) =>
    get<Page<Post>>(`/v1/users/${e(handle)}/posts${query(page(q))}`, q.signal),

  feed: (q: PageQuery = {}) => get<Page<Post>>(`/v1/feed${query(page(q))}`, q.signal),
  timeline: (tag: string | null, q: PageQuery = {}) =>
    get<Page<Post>>(`/v1/posts${query({ tag, ...page(q) })}`, q.signal),
  createPost: (input: CreatePostInput, idempotencyKey: string) =>
    call<Post>("POST", "/v1/posts", { body: input, idempotencyKey }),
  post: (id: string, signal?: AbortSignal) =>
    get<PostDetail>(`/v1/posts/${e(id)}?include=comments`, signal),
  updatePost: (id: string, input: UpdatePostInput) =>
    call<Post>("PATCH", `/v1/posts/${e(id)}`, { body: input }),
  deletePost: (id: string) => done("DELETE", `/v1/posts/${e(id)}`),
  like: (id: string) => call<LikeState>("PUT", `/v1/posts/${e(id)}/like`),
  unlike: (id: string) => call<LikeState>("DELETE", `/v1/posts/${e(id)}/like`),
  share: (id: string, input: ShareInput, idempotencyKey: string) =>
    call<Post>("POST", `/v1/posts/${e(id)}/shares`, { body: input, idempotencyKey }),

  comments: (postId: string, q: PageQuery = {}) =>
    get<Page<Comment>>(`/v1/posts/${e(postId)}/comments${query(page(q))}`, q.signal),
  comment: (postId: string, input: CreateCommentInput) =>
    call<Comment>("POST", `/v1/posts/${e(postId)}/comments`, { body: input }),
  updateComment: (id: string, input: UpdateCommentInput) =>
    call<Comment>("PATCH", `/v1/comments/${e(id)}`, { body: input }),
  deleteComment: (id: string) => done("DELETE", `/v1/comments/${e(id)}`),
  reportComment: (id: string, input: ReportInput) =>
    done("POST", `/v1/comments/${e(id)}/report`, { body: input }),
  approveComment: (id: string) => call<Comment>("POST", `/v1/comments/${e(id)}/approve`),

  notifications: (q: PageQuery = {}) =>
    get<NotificationList>(`/v1/notifications${query(page(q))}`, q.signal),
  markRead: (input: MarkReadInput) =>
    call<UnreadCount>("POST", "/v1/notifications/read", { body: input }),
};
