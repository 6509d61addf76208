import type { CommentRecord, PostRecord, ProfileCard } from "@flock/contracts";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { callContext, read } from "../rpc";
import { about, notFound } from "./errors";
import {
  idOfSlug,
  type RealWorldArticle,
  type RealWorldComment,
  toArticle,
  toComment,
} from "./mapping";

/** The profile cards of every author a response needs, as the reader sees them: one call. */
async function cardsById(
  c: Context<AppEnv>,
  ids: Iterable<string>,
): Promise<Map<string, ProfileCard>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const cards = await read(c, "users", () => c.env.USERS.getProfileCards(callContext(c), unique));
  return new Map(cards.map((card) => [card.id, card]));
}

/**
 * The article a slug names. Shares are posts but not articles (they have no text of their own, and
 * the original is listed already), so a share's id is a 404 here like an unknown one.
 */
export async function findArticle(c: Context<AppEnv>, slug: string): Promise<PostRecord> {
  const id = idOfSlug(slug);
  if (!id) throw notFound("article");
  const post = await about(
    "article",
    read(c, "posts", () => c.env.POSTS.getPost(callContext(c), id)),
  );
  if (post.sharedPostId !== null) throw notFound("article");
  return post;
}

/** Articles with their authors; one whose author's account is being deleted is left out. */
export async function composeArticles(
  c: Context<AppEnv>,
  posts: PostRecord[],
  options: { body: boolean },
): Promise<RealWorldArticle[]> {
  const authors = await cardsById(
    c,
    posts.map((post) => post.authorId),
  );
  return posts.flatMap((post) => {
    const author = authors.get(post.authorId);
    return author ? [toArticle(post, author, options)] : [];
  });
}

/** One article with its body and author, answered as RealWorld's `{article}`. */
export async function composeArticle(
  c: Context<AppEnv>,
  post: PostRecord,
): Promise<{ article: RealWorldArticle }> {
  const [article] = await composeArticles(c, [post], { body: true });
  if (!article) throw notFound("article");
  return { article };
}

export async function composeComments(
  c: Context<AppEnv>,
  comments: CommentRecord[],
): Promise<RealWorldComment[]> {
  const authors = await cardsById(
    c,
    comments.map((comment) => comment.authorId),
  );
  return comments.flatMap((comment) => {
    const author = authors.get(comment.authorId);
    return author ? [toComment(comment, author)] : [];
  });
}
