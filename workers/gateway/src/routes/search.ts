import { SearchQuery, SearchResults } from "@flock/contracts";
import { createRoute } from "@hono/zod-openapi";
import { composePosts } from "../compose";
import { json, optionalBearer, problems, router } from "../openapi";
import { callContext, read } from "../rpc";

export const search = router().openapi(
  createRoute({
    method: "get",
    path: "/",
    operationId: "search",
    tags: ["search"],
    summary:
      "Posts by relevance and recency, people by handle or display name (prefix), tags by use",
    description:
      "Every word must match (the last as a prefix for posts, each for people); punctuation and " +
      "operators are ignored. Held, hidden and deleted posts are never found, nor, signed in, " +
      "anything from an account you block or that blocks you. `terms` are the words searched for, " +
      "for highlighting.",
    security: optionalBearer,
    request: { query: SearchQuery },
    responses: { 200: json(SearchResults, "A page of results, best first"), ...problems(401, 422) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const ctx = callContext(c);
    if (query.type === "users") {
      const page = await read(c, "search", () => c.env.SEARCH.searchUsers(ctx, query));
      return c.json({ type: "users" as const, ...page }, 200);
    }
    if (query.type === "tags") {
      const page = await read(c, "search", () => c.env.SEARCH.searchTags(ctx, query));
      return c.json({ type: "tags" as const, ...page }, 200);
    }
    const page = await read(c, "search", () => c.env.SEARCH.searchPosts(ctx, query));
    // Hydrated by the posts service, which shows each post as this reader may see it (the index
    // may lag an edit or a block by the seconds an event takes: the posts service does not).
    const records =
      page.items.length === 0
        ? []
        : await read(c, "posts", () => c.env.POSTS.postsByIds(callContext(c), page.items));
    const items = await composePosts(c, records);
    return c.json(
      { type: "posts" as const, items, nextCursor: page.nextCursor, terms: page.terms },
      200,
    );
  },
);
