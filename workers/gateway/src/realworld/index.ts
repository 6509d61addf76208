import { Hono } from "hono";
import type { AppEnv } from "../env";
import { authenticate, refuseSuspended } from "../middleware";
import { limitWrites } from "../ratelimit";
import { notFound, realWorldError } from "./errors";
import { articles } from "./routes/articles";
import { comments } from "./routes/comments";
import { profiles } from "./routes/profiles";
import { tags } from "./routes/tags";
import { users } from "./routes/users";

export { realWorldError };

/** Whether a path is the RealWorld API's, whose errors take RealWorld's envelope. */
export function isRealWorld(path: string): boolean {
  return path === "/api" || path.startsWith("/api/");
}

/**
 * The RealWorld ("Conduit") API, mounted at /api: a facade over the same services as /v1, in the
 * shapes, status codes and `{errors: {field: [message]}}` envelope of its spec. docs/REALWORLD.md
 * has the mapping.
 */
export const realworld = new Hono<AppEnv>();

realworld.use("*", authenticate);
realworld.use("*", limitWrites);
realworld.use("*", refuseSuspended);

realworld.route("/", users);
realworld.route("/profiles", profiles);
realworld.route("/articles", articles);
realworld.route("/articles", comments);
realworld.route("/tags", tags);
realworld.all("*", () => {
  throw notFound("route");
});

realworld.onError(realWorldError);
