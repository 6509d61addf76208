import { type CallContext, IndexedPost } from "@flock/contracts";
import { callService } from "@flock/kit";
import { z } from "zod";
import type { Env } from "./env";
import type { ReadPosts } from "./events";

const Answer = z.object({ items: z.array(IndexedPost), nextCursor: z.string().nullable() });

/**
 * Reads posts through the posts service, at least as fresh as the event being applied (its
 * producer's bookmark rides in `ctx`: decision 0015). A failure throws, so the queue retries the
 * event rather than leaving the index as it was.
 */
export function postsReader(posts: Env["POSTS"], ctx: CallContext): ReadPosts {
  return async (ids) => {
    const page = await callService(ctx, "posts", (call) => posts.postsForIndex(call, { ids }), {
      idempotent: true,
      schema: Answer,
    });
    return page.items;
  };
}
