import type { PostRecord } from "@flock/contracts";
import type { Context } from "hono";
import { withAuthors } from "../compose";
import type { AppEnv } from "../env";
import { callContext, read } from "../rpc";
import { about, notFound } from "./errors";
import { idOfSlug, type RealWorldArticle, toArticle } from "./mapping";

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

/** Articles with their authors as the reader sees them (RealWorld's profiles carry `following`). */
export async function composeArticles(
  c: Context<AppEnv>,
  posts: PostRecord[],
  options: { body: boolean },
): Promise<RealWorldArticle[]> {
  return (await withAuthors(c, posts)).map(({ record, author }) =>
    toArticle(record, author, options),
  );
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
