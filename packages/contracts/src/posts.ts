import { z } from "zod";
import { CommentPage, type ReportInput } from "./comments";
import type { CallContext, Health } from "./common";
import { Id, ListQuery, Missing, mentionLimited, orNull, Page, Timestamp } from "./common";
import type { Result } from "./errors";
import type { AuditEntry, ReportCase, ResolveInput } from "./moderation";
import type { IndexedPost, IndexPageQuery } from "./search";
import { ProfileSummary } from "./users";

export const Tag = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N}_-]{1,30}$/u, "must be 1 to 30 letters, digits, '-' or '_'")
  .transform((tag) => tag.toLowerCase());

const Tags = z
  .array(Tag)
  .max(10, "at most 10 tags")
  .transform((tags) => [...new Set(tags)]);

export const PostBody = mentionLimited(
  z.string().trim().min(1, "must not be empty").max(5000, "must be at most 5000 characters"),
);
const Title = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters");
/** A one-line summary of a post, shown in lists under its title. */
const Description = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(500, "must be at most 500 characters");

/** The Idempotency-Key of a create: a retry with the same key returns the first result. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,100}$/, "must be 1 to 100 visible ASCII characters");

/** The headers of a create that honours Idempotency-Key. */
export const IdempotencyHeaders = z.object({
  "idempotency-key": IdempotencyKey.optional().describe(
    "A retried request with the same key returns the first result instead of a second post.",
  ),
});

/** An upload to attach to a post, with its alt text (what it shows, for those who cannot see it). */
export const PostMediaInput = z
  .object({
    id: Id.describe("An upload of yours (POST /v1/media)"),
    alt: z.string().trim().max(1000).default(""),
  })
  .meta({ id: "PostMediaInput" });
export type PostMediaInput = z.input<typeof PostMediaInput>;

/** The most images one post may show. */
export const MEDIA_PER_POST = 4;

/** An image as a post shows it. */
export const PostMedia = z
  .object({
    id: Id,
    url: z.string(),
    alt: z.string(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
  })
  .meta({ id: "PostMedia" });
export type PostMedia = z.infer<typeof PostMedia>;

export const CreatePostInput = z
  .object({
    body: PostBody,
    title: Title.optional(),
    description: Description.optional(),
    tags: Tags.optional(),
    media: z
      .array(PostMediaInput)
      .max(MEDIA_PER_POST)
      .refine((items) => new Set(items.map((item) => item.id)).size === items.length, {
        message: "must not name an upload twice",
      })
      .optional()
      .describe(`Up to ${MEDIA_PER_POST} of your uploads, in the order shown`),
  })
  .meta({ id: "CreatePostInput" });
export type CreatePostInput = z.infer<typeof CreatePostInput>;

export const UpdatePostInput = z
  .object({
    body: PostBody.optional(),
    title: Title.nullable().optional(),
    description: Description.nullable().optional(),
    tags: Tags.optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), {
    message: "give at least one of body, title, description, tags",
  })
  .meta({ id: "UpdatePostInput" });
export type UpdatePostInput = z.infer<typeof UpdatePostInput>;

export const ShareInput = z
  .object({ body: mentionLimited(z.string().trim().max(5000)).optional() })
  .meta({ id: "ShareInput" });
export type ShareInput = z.infer<typeof ShareInput>;

export const PostViewer = z
  .object({ liked: z.boolean(), shared: z.boolean() })
  .meta({ id: "PostViewer" });

/**
 * Whether a post is shown: `held` when it broke a moderation rule, until a moderator releases it;
 * `hidden` when three counting reports or a moderator hid it. Only its author sees either.
 */
export const PostStatus = z.enum(["visible", "held", "hidden"]).meta({ id: "PostStatus" });
export type PostStatus = z.infer<typeof PostStatus>;

/** A post as the posts service keeps it: the author is an id, composed into a profile by the gateway. */
export type PostRecord = {
  id: string;
  authorId: string;
  /** The author as the posts service last heard of them; null until it has (the gateway then asks users). */
  author: ProfileSummary | null;
  body: string;
  title: string | null;
  description: string | null;
  tags: string[];
  status: PostStatus;
  createdAt: string;
  updatedAt: string;
  likeCount: number;
  commentCount: number;
  shareCount: number;
  sharedPostId: string | null;
  sharedPost: PostRecord | null;
  media: PostMedia[];
  viewer?: { liked: boolean; shared: boolean };
};

const PostFields = z.object({
  id: Id,
  author: ProfileSummary,
  body: z.string(),
  title: z.string().nullable(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  status: PostStatus.describe("`held` or `hidden` only ever reaches the post's author"),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  likeCount: z.number().int(),
  commentCount: z.number().int(),
  shareCount: z.number().int(),
  media: z.array(PostMedia),
  viewer: PostViewer.optional(),
});

/** The post a share embeds: the fields of a post, without a share of its own. */
const SharedPost = PostFields.meta({ id: "SharedPost" });

/** A public post; a share embeds the post it shares (null once that post is deleted). */
export const Post = PostFields.extend({ sharedPost: orNull(SharedPost).optional() }).meta({
  id: "Post",
});
export type Post = z.infer<typeof Post>;

/** A profile as /v1 embeds it in posts, comments and notifications: nothing beyond the summary. */
export function summaryOf({ id, handle, displayName, avatarUrl }: ProfileSummary): ProfileSummary {
  return { id, handle, displayName, avatarUrl };
}

/**
 * A post record as /v1 shows it: its author from the record, else from `authors`; null when the
 * author is known to neither (an account just deleted: its posts are on their way out). The gateway
 * composes every post through it, and the posts service its live pushes.
 */
export function publicPost(
  record: PostRecord,
  authors: ReadonlyMap<string, ProfileSummary> = new Map(),
): Post | null {
  const known = authors.get(record.authorId);
  const author = record.author ?? (known ? summaryOf(known) : undefined);
  if (!author) return null;
  const { authorId: _, author: __, sharedPostId: ___, sharedPost, ...fields } = record;
  const original = sharedPost ? publicPost(sharedPost, authors) : null;
  return { ...fields, author, ...(record.sharedPostId ? { sharedPost: original } : {}) } as Post;
}

export const PostPage = Page(Post).meta({ id: "PostPage" });
export type PostPage = z.infer<typeof PostPage>;

/** `?include=comments` asks GET /v1/posts/{id} for the post's first page of comments too. */
export const PostQuery = z.object({ include: z.enum(["comments"]).optional() });

/**
 * A post and, when asked for, its first comments: null, and listed in `missing`, when the comments
 * service is down.
 */
export const PostDetail = Post.extend({
  comments: orNull(CommentPage)
    .optional()
    .describe("The first page of comments, with ?include=comments"),
  missing: Missing.optional(),
}).meta({ id: "PostDetail" });
export type PostDetail = z.infer<typeof PostDetail>;

export const LikeState = z
  .object({ liked: z.boolean(), likeCount: z.number().int() })
  .meta({ id: "LikeState" });
export type LikeState = z.infer<typeof LikeState>;

export const TimelineQuery = z.object({ tag: Tag.optional() });

/**
 * The largest total an offset-paged list reports, and the furthest its offset reaches: counting and
 * skipping stay bounded index ranges, however many posts match.
 */
export const MAX_COUNTED = 10_000;

/** A page by position, for clients that jump to a page instead of following a cursor. */
export const OffsetQuery = z.object({
  limit: z.number().int().min(1).max(100).default(20),
  offset: z.number().int().min(0).max(MAX_COUNTED).default(0),
});
export type OffsetQuery = z.input<typeof OffsetQuery>;

/** Which posts a listing holds: every filter given narrows it. */
export const PostFilter = z.object({
  /** Only posts with text of their own: shares left out. */
  originalsOnly: z.boolean().default(false),
  tag: z
    .string()
    .trim()
    .max(100)
    .transform((tag) => tag.toLowerCase())
    .optional(),
  authorId: Id.optional(),
  /** Only the posts this user likes. */
  likedBy: Id.optional(),
});

/** A listing of posts, filtered and paged by position. */
export const PostListQuery = OffsetQuery.extend(PostFilter.shape);
export type PostListQuery = z.input<typeof PostListQuery>;

/** Which posts of the reader's home feed a page holds; with no filter, all of them. */
export const FeedFilter = z.object({
  /** Only posts with text of their own: shares left out. */
  originalsOnly: z.boolean().default(false),
  /** Only the posts of the accounts the reader follows: their own left out. */
  followedOnly: z.boolean().default(false),
});
export type FeedFilter = z.input<typeof FeedFilter>;

/** A page of the home feed after a cursor. */
export const FeedQuery = ListQuery.extend(FeedFilter.shape);
export type FeedQuery = ListQuery & FeedFilter;

/** A page of the home feed by position. */
export const FeedOffsetQuery = OffsetQuery.extend(FeedFilter.shape);
export type FeedOffsetQuery = z.input<typeof FeedOffsetQuery>;

/** One page by position, with how many items match in all (exact up to MAX_COUNTED). */
export type OffsetPage<T> = { items: T[]; total: number };

/** The posts service as other workers call it. */
export interface PostsRpc {
  /** The gateway reports a live socket opened by this reader: new posts are pushed to connected followers. */
  notePresence(ctx: CallContext, userId: string): Promise<Result<null>>;
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
  /** A user's timeline by handle, from the author replica; not_found while the replica does not know the handle. */
  userTimelineByHandle(
    ctx: CallContext,
    handle: string,
    query: ListQuery,
  ): Promise<Result<Page<PostRecord>>>;
  /**
   * The reader's home timeline: their own posts and shares and those of the accounts they follow,
   * newest first; read-your-writes for the reader's own posts and new follows.
   */
  homeFeed(ctx: CallContext, query: FeedQuery): Promise<Result<Page<PostRecord>>>;
  /** The same home timeline paged by position, with a total. */
  homeFeedByOffset(
    ctx: CallContext,
    query: FeedOffsetQuery,
  ): Promise<Result<OffsetPage<PostRecord>>>;
  publicTimeline(
    ctx: CallContext,
    tag: string | undefined,
    query: ListQuery,
  ): Promise<Result<Page<PostRecord>>>;
  /** Posts newest first, narrowed by the filters given, paged by position with a total. */
  listPosts(ctx: CallContext, query: PostListQuery): Promise<Result<OffsetPage<PostRecord>>>;
  /** Tags in use, the most used first (ties: the most recently used first). */
  popularTags(ctx: CallContext, limit: number): Promise<Result<string[]>>;
  /** Accepted whatever the outcome; validation for your own post, not_found for one you cannot see. */
  reportPost(ctx: CallContext, postId: string, input: ReportInput): Promise<Result<null>>;
  /** Moderators only: reported and held posts, the oldest first report first. */
  listReportCases(ctx: CallContext, query: ListQuery): Promise<Result<Page<ReportCase>>>;
  /** Moderators only: closes a post's open reports with an action, recorded in the audit log. */
  resolveReportCase(ctx: CallContext, postId: string, input: ResolveInput): Promise<Result<null>>;
  /** Moderators only: this service's audit log, newest first. */
  listAudit(ctx: CallContext, query: ListQuery): Promise<Result<Page<AuditEntry>>>;
  /** Posts by id as the caller may see them, in the order asked (search results). */
  postsByIds(ctx: CallContext, ids: string[]): Promise<Result<PostRecord[]>>;
  /** Posts with their text and status for the search index: by ids, or a page in id order. */
  postsForIndex(
    ctx: CallContext,
    query: IndexPageQuery & { ids?: string[] },
  ): Promise<Result<Page<IndexedPost>>>;
  /** The author of a post, for services that authorize against it; not_found when it does not exist. */
  postAuthor(
    ctx: CallContext,
    postId: string,
  ): Promise<Result<{ postId: string; authorId: string }>>;
  health(): Promise<Health>;
}
