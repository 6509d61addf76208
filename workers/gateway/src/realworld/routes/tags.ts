import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { callContext, read } from "../../rpc";

/** How many tags RealWorld's tag list holds: the most used ones. */
const TAGS_LISTED = 100;

export const tags = new Hono<AppEnv>().get("/", async (c) => {
  const listed = await read(c, "posts", () => c.env.POSTS.popularTags(callContext(c), TAGS_LISTED));
  return c.json({ tags: listed }, 200);
});
