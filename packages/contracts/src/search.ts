import { z } from "zod";
import type { CallContext, Health } from "./common";
import { Id, Page } from "./common";
import type { Result } from "./errors";
import { Post } from "./posts";
import { ProfileSummary } from "./users";

/** The longest search text accepted: longer is a 422, never a query. */
export const MAX_SEARCH_LENGTH = 200;

export const SearchType = z.enum(["posts", "users", "tags"]);
export type SearchType = z.infer<typeof SearchType>;

/** GET /v1/search's query: the text, what to look for, and a page of it. */
export const SearchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(MAX_SEARCH_LENGTH, `must be at most ${MAX_SEARCH_LENGTH} characters`),
  type: SearchType.default("posts"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
export type SearchQuery = z.input<typeof SearchQuery>;

/** A tag found by a search, with the number of visible posts that carry it. */
export const TagHit = z
  .object({ tag: z.string(), postCount: z.number().int() })
  .meta({ id: "TagHit" });
export type TagHit = z.infer<typeof TagHit>;

const results = <T extends SearchType, I extends z.ZodType>(type: T, item: I) =>
  Page(item).extend({
    type: z.literal(type),
    /** The words searched for, folded as the index folds them: what a client may highlight. */
    terms: z.array(z.string()),
  });

/** One page of search results of one type, best first. */
export const SearchResults = z
  .discriminatedUnion("type", [
    results("posts", Post),
    results("users", ProfileSummary),
    results("tags", TagHit),
  ])
  .meta({ id: "SearchResults" });
export type SearchResults = z.infer<typeof SearchResults>;

/** What the search service answers: ids of posts, to hydrate through the posts service. */
export type SearchPage<T> = { items: T[]; nextCursor: string | null; terms: string[] };

/**
 * A post as the search index reads it from the posts service: its text, tags and status, whoever
 * asks (only the search service and its reindex ask).
 */
export const IndexedPost = z.object({
  id: Id,
  authorId: Id,
  title: z.string().nullable(),
  description: z.string().nullable(),
  body: z.string(),
  tags: z.array(z.string()),
  status: z.enum(["visible", "held", "hidden"]),
  sharedPostId: Id.nullable(),
  createdAt: z.string(),
});
export type IndexedPost = z.infer<typeof IndexedPost>;

/** A page of posts or accounts for the index, in id order after a cursor. */
export const IndexPageQuery = z.object({
  after: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
export type IndexPageQuery = z.input<typeof IndexPageQuery>;

/** A page of posts and accounts, read from their owners, for the index to hold as of now. */
export const ReindexPage = z.object({
  posts: z.array(IndexedPost).max(500).optional(),
  users: z.array(ProfileSummary).max(500).optional(),
});
export type ReindexPage = z.input<typeof ReindexPage>;

/** The search service as other workers call it. */
export interface SearchRpc {
  /** Visible posts matching the text, best first: ids only, hydrated by the posts service. */
  searchPosts(ctx: CallContext, query: SearchQuery): Promise<Result<SearchPage<string>>>;
  /** Accounts whose handle or display name starts with the words. */
  searchUsers(ctx: CallContext, query: SearchQuery): Promise<Result<SearchPage<ProfileSummary>>>;
  /** Tags starting with the text, the most used first. */
  searchTags(ctx: CallContext, query: SearchQuery): Promise<Result<SearchPage<TagHit>>>;
  /** What the index holds, for an operator comparing it with the owning services. */
  stats(ctx: CallContext): Promise<Result<{ posts: number; users: number; tags: number }>>;
  /** Puts a page of posts and accounts read from their owners into the index (npm run search:reindex). */
  reindex(ctx: CallContext, page: ReindexPage): Promise<Result<{ posts: number; users: number }>>;
  health(): Promise<Health>;
}
