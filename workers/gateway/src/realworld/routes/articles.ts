import type { OffsetPage, PostRecord, UpdatePostInput } from "@flock/contracts";
import { AppError } from "@flock/kit";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../env";
import { signedIn } from "../../middleware";
import { call, callContext, read } from "../../rpc";
import { composeArticle, composeArticles, findArticle } from "../compose";
import { about } from "../errors";
import {
  ArticlesQuery,
  jsonBody,
  NewArticleBody,
  PageQuery,
  queryOf,
  UpdateArticleBody,
} from "../validation";

/** The ids of the users an article list is filtered by; a name no one has matches nothing. */
async function userIds(c: Context<AppEnv>, handles: Array<string | undefined>) {
  const wanted = handles.flatMap((handle) => (handle ? [handle.toLowerCase()] : []));
  if (wanted.length === 0) return new Map<string, string>();
  const found = await read(c, "users", () =>
    c.env.USERS.getProfilesByHandles(callContext(c), wanted),
  );
  return new Map(found.map((profile) => [profile.handle, profile.id]));
}

async function listOf(c: Context<AppEnv>, page: OffsetPage<PostRecord>) {
  return {
    articles: await composeArticles(c, page.items, { body: false }),
    articlesCount: page.total,
  };
}

/** An article after a like or an unlike, without reading it again. */
function withLike(post: PostRecord, like: { liked: boolean; likeCount: number }): PostRecord {
  return {
    ...post,
    likeCount: like.likeCount,
    viewer: { liked: like.liked, shared: post.viewer?.shared ?? false },
  };
}

/** Articles are the posts service's posts; favorites are its likes. */
export const articles = new Hono<AppEnv>()
  // Before /:slug, which would take "feed" for a slug.
  .get("/feed", signedIn, queryOf(PageQuery), async (c) => {
    // RealWorld's feed is "articles by the users you follow": neither your own posts nor shares.
    const page = await read(c, "posts", () =>
      c.env.POSTS.homeFeedByOffset(callContext(c), {
        ...c.req.valid("query"),
        originalsOnly: true,
        followedOnly: true,
      }),
    );
    return c.json(await listOf(c, page), 200);
  })
  .get("/", queryOf(ArticlesQuery), async (c) => {
    const { author, favorited, ...query } = c.req.valid("query");
    const ids = await userIds(c, [author, favorited]);
    const authorId = author ? ids.get(author.toLowerCase()) : undefined;
    const likedBy = favorited ? ids.get(favorited.toLowerCase()) : undefined;
    if ((author && !authorId) || (favorited && !likedBy))
      return c.json({ articles: [], articlesCount: 0 }, 200);
    const page = await read(c, "posts", () =>
      c.env.POSTS.listPosts(callContext(c), { ...query, authorId, likedBy, originalsOnly: true }),
    );
    return c.json(await listOf(c, page), 200);
  })
  .post("/", signedIn, jsonBody(NewArticleBody), async (c) => {
    const { title, description, body, tagList } = c.req.valid("json").article;
    const post = await call(
      c,
      "posts",
      c.env.POSTS.createPost(callContext(c), { title, description, body, tags: tagList }),
    );
    return c.json(await composeArticle(c, post), 201);
  })
  .get("/:slug", async (c) => {
    return c.json(await composeArticle(c, await findArticle(c, c.req.param("slug"))), 200);
  })
  .put("/:slug", signedIn, jsonBody(UpdateArticleBody), async (c) => {
    const { title, description, body, tagList } = c.req.valid("json").article;
    const changes: UpdatePostInput = { title, description, body, tags: tagList };
    if (Object.values(changes).every((value) => value === undefined))
      throw new AppError("validation", "Give at least one field to change.", [
        { path: "article", message: "has nothing to change" },
      ]);
    const current = await findArticle(c, c.req.param("slug"));
    const post = await about(
      "article",
      call(c, "posts", c.env.POSTS.updatePost(callContext(c), current.id, changes)),
    );
    return c.json(await composeArticle(c, post), 200);
  })
  .delete("/:slug", signedIn, async (c) => {
    const current = await findArticle(c, c.req.param("slug"));
    await about("article", call(c, "posts", c.env.POSTS.deletePost(callContext(c), current.id)));
    return c.body(null, 204);
  })
  .post("/:slug/favorite", signedIn, async (c) => {
    const current = await findArticle(c, c.req.param("slug"));
    const like = await about(
      "article",
      call(c, "posts", c.env.POSTS.like(callContext(c), current.id)),
    );
    return c.json(await composeArticle(c, withLike(current, like)), 200);
  })
  .delete("/:slug/favorite", signedIn, async (c) => {
    const current = await findArticle(c, c.req.param("slug"));
    const like = await about(
      "article",
      call(c, "posts", c.env.POSTS.unlike(callContext(c), current.id)),
    );
    return c.json(await composeArticle(c, withLike(current, like)), 200);
  });
