import { z } from "zod";
import type { CallContext, Health, ListQuery, Page } from "./common";
import { Id, Timestamp } from "./common";
import type { Result } from "./errors";
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

export const PostBody = z.string().trim().min(1, "must not be empty").max(5000);
const Title = z.string().trim().min(1).max(200);

export const CreatePostInput = z.object({
  body: PostBody,
  title: Title.optional(),
  tags: Tags.optional(),
});
export type CreatePostInput = z.infer<typeof CreatePostInput>;

export const UpdatePostInput = z
  .object({
    body: PostBody.optional(),
    title: Title.nullable().optional(),
    tags: Tags.optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), {
    message: "give at least one of body, title, tags",
  });
export type UpdatePostInput = z.infer<typeof UpdatePostInput>;

export const ShareInput = z.object({ body: z.string().trim().max(5000).optional() });
export type ShareInput = z.infer<typeof ShareInput>;

export const PostViewer = z.object({ liked: z.boolean(), shared: z.boolean() });

/** A post as the posts service keeps it: the author is an id, composed into a profile by the gateway. */
export type PostRecord = {
  id: string;
  authorId: string;
  body: string;
  title: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  likeCount: number;
  commentCount: number;
  shareCount: number;
  sharedPostId: string | null;
  sharedPost: PostRecord | null;
  viewer?: { liked: boolean; shared: boolean };
};

const PostFields = z.object({
  id: Id,
  author: ProfileSummary,
  body: z.string(),
  title: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  likeCount: z.number().int(),
  commentCount: z.number().int(),
  shareCount: z.number().int(),
  viewer: PostViewer.optional(),
});

/** A public post; a share embeds the post it shares (null once that post is deleted). */
export const Post = PostFields.extend({ sharedPost: PostFields.nullable().optional() });
export type Post = z.infer<typeof Post>;

export const LikeState = z.object({ liked: z.boolean(), likeCount: z.number().int() });
export type LikeState = z.infer<typeof LikeState>;

export const TimelineQuery = z.object({ tag: Tag.optional() });

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
