import type { CommentRecord, ListQuery } from "@flock/contracts";
import { Hono } from "hono";
import { withAuthors } from "../../compose";
import type { AppEnv } from "../../env";
import { signedIn } from "../../middleware";
import { call, callContext, read } from "../../rpc";
import { findArticle } from "../compose";
import { about, notFound } from "../errors";
import { toComment } from "../mapping";
import { jsonBody, NewCommentBody } from "../validation";

/** RealWorld lists an article's comments whole; past this many pages of 100 the rest is left out. */
const MAX_COMMENT_PAGES = 10;

/** A RealWorld comment id in a path: a positive integer, or no comment at all. */
function numberOf(id: string): number | null {
  return /^[1-9][0-9]{0,14}$/.test(id) ? Number(id) : null;
}

/** Comments are the comments service's; their RealWorld id is the comment's number. */
export const comments = new Hono<AppEnv>()
  .get("/:slug/comments", async (c) => {
    const article = await findArticle(c, c.req.param("slug"));
    const records: CommentRecord[] = [];
    let query: ListQuery = { limit: 100 };
    for (let page = 0; page < MAX_COMMENT_PAGES; page++) {
      const { items, nextCursor } = await read(c, "comments", () =>
        c.env.COMMENTS.listComments(callContext(c), article.id, query),
      );
      records.push(...items);
      if (!nextCursor) break;
      query = { limit: 100, cursor: nextCursor };
    }
    const comments = await withAuthors(c, records);
    return c.json(
      { comments: comments.map(({ record, author }) => toComment(record, author)) },
      200,
    );
  })
  .post("/:slug/comments", signedIn, jsonBody(NewCommentBody), async (c) => {
    const article = await findArticle(c, c.req.param("slug"));
    const record = await about(
      "article",
      call(
        c,
        "comments",
        c.env.COMMENTS.createComment(callContext(c), article.id, c.req.valid("json").comment),
      ),
    );
    const [authored] = await withAuthors(c, [record]);
    if (!authored) throw notFound("comment");
    return c.json({ comment: toComment(authored.record, authored.author) }, 201);
  })
  .delete("/:slug/comments/:id", signedIn, async (c) => {
    const article = await findArticle(c, c.req.param("slug"));
    const number = numberOf(c.req.param("id"));
    if (number === null) throw notFound("comment");
    const comment = await about(
      "comment",
      read(c, "comments", () => c.env.COMMENTS.commentByNumber(callContext(c), number)),
    );
    if (comment.postId !== article.id) throw notFound("comment");
    await about(
      "comment",
      call(c, "comments", c.env.COMMENTS.deleteComment(callContext(c), comment.id)),
    );
    return c.body(null, 204);
  });
