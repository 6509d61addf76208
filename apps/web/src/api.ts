// The public /v1 API through openapi-fetch, typed by api/schema.d.ts, which `npm run generate:api`
// generates from the gateway's OpenAPI document: a path, parameter or body the document does not
// have fails to compile. The server validates every input and answers problem+json on failure.
import createClient from "openapi-fetch";
import type { components, operations, paths } from "./api/schema";

type Schemas = components["schemas"];
export type AuthResponse = Schemas["AuthResponse"];
export type Comment = Schemas["Comment"];
export type CommentPage = Schemas["CommentPage"];
export type FieldError = Schemas["FieldError"];
export type FriendRequest = Schemas["FriendRequest"];
export type HealthReport = Schemas["HealthReport"];
export type ServiceHealth = Schemas["ServiceHealth"];
export type OperationsFigures = Schemas["OperationsFigures"];
export type Notification = Schemas["Notification"];
export type Post = Schemas["Post"];
export type Profile = Schemas["Profile"];
export type ModeratedAccount = Schemas["ModeratedAccount"];
export type ReportCase = Schemas["ReportCase"];
export type ResolveAction = Schemas["ResolveAction"];
export type ProfileSummary = Schemas["ProfileSummary"];
export type SearchResults = Schemas["SearchResults"];
export type SearchType = SearchResults["type"];
export type TagHit = Schemas["TagHit"];
/** One signed-in device of yours, as the server lists it. */
export type SignedInDevice = Schemas["Session"];
export type UpdateMeInput = Schemas["UpdateMeInput"];
export type User = Schemas["User"];
export type Upload = Schemas["Upload"];
export type PostMedia = Schemas["PostMedia"];

export type Direction = NonNullable<
  NonNullable<operations["listFriendRequests"]["parameters"]["query"]>["direction"]
>;

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

const client = createClient<paths>({ headers: { accept: "application/json" } });

/**
 * Read-your-writes (decision 0015): the gateway answers with Flock-Bookmark, opaque, and a request
 * that sends it back reads at least as fresh as the writes it covers. The app keeps the answers'
 * bookmarks not yet sent back (requests made at once each add one; the gateway merges what it is
 * sent) for this tab, across reloads.
 */
const BOOKMARK = "Flock-Bookmark";
const BOOKMARK_KEY = "flock.bookmark";
const MAX_BOOKMARKS = 4;

function storedBookmarks(): string[] {
  try {
    const stored: unknown = JSON.parse(sessionStorage.getItem(BOOKMARK_KEY) ?? "[]");
    return Array.isArray(stored) ? stored.filter((item) => typeof item === "string") : [];
  } catch {
    return [];
  }
}

let bookmarks = storedBookmarks();

function keepBookmark(received: string, sent: string[]): void {
  bookmarks = [...bookmarks.filter((kept) => !sent.includes(kept)), received].slice(-MAX_BOOKMARKS);
  try {
    sessionStorage.setItem(BOOKMARK_KEY, JSON.stringify(bookmarks));
  } catch {
    // Storage full or refused: the bookmark is kept for this page only.
  }
}

const sentBookmarks = new WeakMap<Request, string[]>();

client.use({
  onRequest({ request }) {
    const token = auth.token();
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    if (bookmarks.length > 0) request.headers.set(BOOKMARK, bookmarks.join(", "));
    sentBookmarks.set(request, bookmarks);
    return request;
  },
  onResponse({ request, response }) {
    const received = response.headers.get(BOOKMARK);
    if (received) keepBookmark(received, sentBookmarks.get(request) ?? []);
    if (response.status === 401 && request.headers.has("authorization")) auth.onExpired();
  },
});

function isProblem(value: unknown): value is Schemas["Problem"] {
  return typeof value === "object" && value !== null && "title" in value && "status" in value;
}

function isHealthReport(value: unknown): value is HealthReport {
  return typeof value === "object" && value !== null && "status" in value && "services" in value;
}

/** What openapi-fetch resolves to: the parsed body as `data` on a 2xx, as `error` otherwise. */
type Reply<T> = { data?: T; error?: unknown; response: Response };

/** The body of a successful call; a failure throws an ApiError with what the server said. */
async function answer<T>(call: Promise<Reply<T>>): Promise<T> {
  let reply: Reply<T>;
  try {
    reply = await call;
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "Could not reach flock. Check your connection and try again.");
  }
  const { data, error, response } = reply;
  // The server's answers are trusted to match the document their types were generated from; a
  // body is undefined only where the document says there is none (204, 202).
  if (response.ok) return data as T;
  if (isProblem(error)) {
    const retry = response.headers.get("retry-after");
    const detail = error.detail ?? error.title;
    throw new ApiError(
      response.status,
      retry ? `${detail} Try again in ${retry} seconds.` : detail,
      error.errors ?? [],
    );
  }
  throw new ApiError(response.status, `The server answered ${response.status}. Please try again.`);
}

/** A call whose success has no body. */
async function done(call: Promise<Reply<unknown>>): Promise<void> {
  await answer(call);
}

/** Arguments every list call takes. */
export type PageQuery = { cursor?: string | null; limit?: number; signal?: AbortSignal };
const page = ({ cursor, limit }: PageQuery) => ({ cursor: cursor ?? undefined, limit });

const peopleLists = {
  followers: "/v1/users/{handle}/followers",
  following: "/v1/users/{handle}/following",
  friends: "/v1/users/{handle}/friends",
} as const;

export const api = {
  register: (body: Schemas["RegisterInput"]) => answer(client.POST("/v1/auth/register", { body })),
  login: (body: Schemas["LoginInput"]) => answer(client.POST("/v1/auth/login", { body })),
  logout: () => done(client.POST("/v1/auth/logout")),
  requestPasswordReset: (email: string) =>
    answer(client.POST("/v1/auth/password-reset", { body: { email } })),
  confirmPasswordReset: (body: Schemas["PasswordResetConfirm"]) =>
    done(client.POST("/v1/auth/password-reset/confirm", { body })),
  verifyEmail: (token: string) => done(client.POST("/v1/auth/verify-email", { body: { token } })),
  resendVerification: () => done(client.POST("/v1/auth/verify-email/resend")),
  sessions: (signal?: AbortSignal) => answer(client.GET("/v1/me/sessions", { signal })),
  endSession: (id: string) =>
    done(client.DELETE("/v1/me/sessions/{id}", { params: { path: { id } } })),
  endOtherSessions: () => done(client.DELETE("/v1/me/sessions")),

  search: (q: string, type: SearchType, query: PageQuery = {}) =>
    answer(
      client.GET("/v1/search", {
        params: { query: { q, type, ...page(query) } },
        signal: query.signal,
      }),
    ),

  me: (signal?: AbortSignal) => answer(client.GET("/v1/me", { signal })),
  updateMe: (body: UpdateMeInput) => answer(client.PATCH("/v1/me", { body })),
  /** Uploads an image as it is: the server reads its type from the bytes and strips its metadata. */
  uploadMedia: (file: Blob) =>
    answer(
      client.POST("/v1/media", {
        // The document types a binary body as a string; the Blob goes out untouched.
        body: file as unknown as string,
        bodySerializer: (body) => body,
        headers: { "content-type": file.type },
      }),
    ),
  deleteMe: (password: string) => done(client.DELETE("/v1/me", { body: { password } })),
  friendRequests: (direction: Direction, q: PageQuery = {}) =>
    answer(
      client.GET("/v1/me/friend-requests", {
        params: { query: { direction, ...page(q) } },
        signal: q.signal,
      }),
    ),
  acceptFriendRequest: (id: string) =>
    answer(client.POST("/v1/me/friend-requests/{id}/accept", { params: { path: { id } } })),
  declineFriendRequest: (id: string) =>
    answer(client.POST("/v1/me/friend-requests/{id}/decline", { params: { path: { id } } })),
  cancelFriendRequest: (id: string) =>
    done(client.DELETE("/v1/me/friend-requests/{id}", { params: { path: { id } } })),

  profile: (handle: string, signal?: AbortSignal) =>
    answer(client.GET("/v1/users/{handle}", { params: { path: { handle } }, signal })),
  follow: (handle: string) =>
    answer(client.PUT("/v1/users/{handle}/follow", { params: { path: { handle } } })),
  unfollow: (handle: string) =>
    answer(client.DELETE("/v1/users/{handle}/follow", { params: { path: { handle } } })),
  people: (handle: string, list: keyof typeof peopleLists, q: PageQuery = {}) =>
    answer(
      client.GET(peopleLists[list], {
        params: { path: { handle }, query: page(q) },
        signal: q.signal,
      }),
    ),
  sendFriendRequest: (handle: string) =>
    answer(client.POST("/v1/users/{handle}/friend-request", { params: { path: { handle } } })),
  unfriend: (handle: string) =>
    answer(client.DELETE("/v1/users/{handle}/friend", { params: { path: { handle } } })),
  block: (handle: string) =>
    answer(client.PUT("/v1/users/{handle}/block", { params: { path: { handle } } })),
  unblock: (handle: string) =>
    answer(client.DELETE("/v1/users/{handle}/block", { params: { path: { handle } } })),
  mute: (handle: string) =>
    answer(client.PUT("/v1/users/{handle}/mute", { params: { path: { handle } } })),
  unmute: (handle: string) =>
    answer(client.DELETE("/v1/users/{handle}/mute", { params: { path: { handle } } })),
  restricted: (list: "blocks" | "mutes", q: PageQuery = {}) =>
    answer(
      client.GET(list === "blocks" ? "/v1/me/blocks" : "/v1/me/mutes", {
        params: { query: page(q) },
        signal: q.signal,
      }),
    ),
  userPosts: (handle: string, q: PageQuery = {}) =>
    answer(
      client.GET("/v1/users/{handle}/posts", {
        params: { path: { handle }, query: page(q) },
        signal: q.signal,
      }),
    ),

  feed: (q: PageQuery = {}) =>
    answer(client.GET("/v1/feed", { params: { query: page(q) }, signal: q.signal })),
  timeline: (tag: string | null, q: PageQuery = {}) =>
    answer(
      client.GET("/v1/posts", {
        params: { query: { tag: tag || undefined, ...page(q) } },
        signal: q.signal,
      }),
    ),
  createPost: (body: Schemas["CreatePostInput"], idempotencyKey: string) =>
    answer(
      client.POST("/v1/posts", { body, params: { header: { "idempotency-key": idempotencyKey } } }),
    ),
  post: (id: string, signal?: AbortSignal) =>
    answer(
      client.GET("/v1/posts/{id}", {
        params: { path: { id }, query: { include: "comments" } },
        signal,
      }),
    ),
  updatePost: (id: string, body: Schemas["UpdatePostInput"]) =>
    answer(client.PATCH("/v1/posts/{id}", { params: { path: { id } }, body })),
  deletePost: (id: string) => done(client.DELETE("/v1/posts/{id}", { params: { path: { id } } })),
  like: (id: string) => answer(client.PUT("/v1/posts/{id}/like", { params: { path: { id } } })),
  unlike: (id: string) =>
    answer(client.DELETE("/v1/posts/{id}/like", { params: { path: { id } } })),
  share: (id: string, body: Schemas["ShareInput"], idempotencyKey: string) =>
    answer(
      client.POST("/v1/posts/{id}/shares", {
        params: { path: { id }, header: { "idempotency-key": idempotencyKey } },
        body,
      }),
    ),

  comments: (postId: string, q: PageQuery = {}) =>
    answer(
      client.GET("/v1/posts/{id}/comments", {
        params: { path: { id: postId }, query: page(q) },
        signal: q.signal,
      }),
    ),
  comment: (postId: string, body: Schemas["CreateCommentInput"]) =>
    answer(client.POST("/v1/posts/{id}/comments", { params: { path: { id: postId } }, body })),
  updateComment: (id: string, body: Schemas["UpdateCommentInput"]) =>
    answer(client.PATCH("/v1/comments/{id}", { params: { path: { id } }, body })),
  deleteComment: (id: string) =>
    done(client.DELETE("/v1/comments/{id}", { params: { path: { id } } })),
  reportComment: (id: string, body: Schemas["ReportInput"]) =>
    done(client.POST("/v1/comments/{id}/report", { params: { path: { id } }, body })),
  approveComment: (id: string) =>
    answer(client.POST("/v1/comments/{id}/approve", { params: { path: { id } } })),

  reportPost: (id: string, body: Schemas["ReportInput"]) =>
    done(client.POST("/v1/posts/{id}/report", { params: { path: { id } }, body })),
  reportQueue: (q: PageQuery = {}) =>
    answer(client.GET("/v1/moderation/reports", { params: { query: page(q) }, signal: q.signal })),
  resolveReport: (id: string, action: ResolveAction) =>
    done(
      client.POST("/v1/moderation/reports/{id}/resolve", {
        params: { path: { id } },
        body: { action },
      }),
    ),
  moderatedAccount: (handle: string, signal?: AbortSignal) =>
    answer(
      client.GET("/v1/moderation/accounts/{handle}", { params: { path: { handle } }, signal }),
    ),
  suspend: (handle: string) =>
    answer(
      client.POST("/v1/moderation/accounts/{handle}/suspend", {
        params: { path: { handle } },
        body: {},
      }),
    ),
  unsuspend: (handle: string) =>
    answer(
      client.POST("/v1/moderation/accounts/{handle}/unsuspend", {
        params: { path: { handle } },
        body: {},
      }),
    ),

  /** Every service's health; with some service down (a 503) the report still says which. */
  health: async (signal?: AbortSignal): Promise<HealthReport> => {
    const reply = await client.GET("/v1/health", { signal }).catch((error: unknown) => {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, "Could not reach flock. Check your connection and try again.");
    });
    if (reply.response.status === 503 && isHealthReport(reply.error)) return reply.error;
    return answer(Promise.resolve(reply));
  },

  /** For moderators: the last hour's figures per route, RPC method and queue. */
  figures: (signal?: AbortSignal) =>
    answer(client.GET("/v1/operations/figures", { params: { query: { minutes: 60 } }, signal })),

  liveTicket: () => answer(client.POST("/v1/live/ticket")),
  notifications: (q: PageQuery = {}) =>
    answer(client.GET("/v1/notifications", { params: { query: page(q) }, signal: q.signal })),
  markRead: (body: Schemas["MarkReadInput"]) =>
    answer(client.POST("/v1/notifications/read", { body })),
};
