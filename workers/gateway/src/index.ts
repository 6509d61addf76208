import { AppError } from "@flock/kit";
import { bodyLimit } from "hono/body-limit";
import { bookmarks } from "./bookmarks";
import { docsPage, docsPolicy } from "./docs";
import type { Env } from "./env";
import { authenticate, corsPolicy, refuseSuspended, requestIds, traceRequests } from "./middleware";
import { documentation, router } from "./openapi";
import { OPERATOR_HEADER } from "./operator";
import { notFound, onError } from "./problems";
import { limitAuthAttempts, limitWrites } from "./ratelimit";
import { isRealWorld, realWorldError, realworld } from "./realworld";
import { auth } from "./routes/auth";
import { blocks, myBlocks } from "./routes/blocks";
import { comments } from "./routes/comments";
import { feed } from "./routes/feed";
import { health } from "./routes/health";
import { live } from "./routes/live";
import { me } from "./routes/me";
import { images, uploads } from "./routes/media";
import { moderation } from "./routes/moderation";
import { notifications } from "./routes/notifications";
import { operations } from "./routes/operations";
import { postReports } from "./routes/post-reports";
import { posts } from "./routes/posts";
import { recovery } from "./routes/recovery";
import { search } from "./routes/search";
import { users } from "./routes/users";
import { refuseExampleSecret } from "./secrets";

const MAX_BODY_BYTES = 64 * 1024;

const app = router();

app.use("*", requestIds);
app.use("*", traceRequests);
app.use("*", refuseExampleSecret);
app.use("*", corsPolicy);
app.use("*", bookmarks);
const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError(
      "payload_too_large",
      `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB.`,
    );
  },
});
// An upload is the one body allowed past 64 KiB: its route streams it to the media service.
app.use("*", (c, next) =>
  c.req.method === "POST" && c.req.path === "/v1/media" ? next() : limitBody(c, next),
);
app.use("/v1/*", authenticate);
// Images need no token, but one that is not valid is refused here as on every route.
app.use("/media/*", authenticate);
// Limits come after authentication (writes are counted per user) and before any body is parsed.
app.use("/v1/*", limitWrites);
app.use("/v1/*", refuseSuspended);
app.use("/v1/auth/*", limitAuthAttempts);
// The RealWorld ("Conduit") API: it authenticates (Token or Bearer) and validates on its own.
app.route("/api", realworld);

app.route("/v1/auth", auth);
app.route("/v1/auth", recovery);
app.route("/v1/me", me);
app.route("/v1/me", myBlocks);
app.route("/v1/users", users);
app.route("/v1/users", blocks);
app.route("/v1/posts", posts);
app.route("/v1/posts", postReports);
app.route("/v1/feed", feed);
app.route("/v1/comments", comments);
app.route("/v1/notifications", notifications);
app.route("/v1/moderation", moderation);
app.route("/v1/search", search);
app.route("/v1/health", health);
app.route("/v1/operations", operations);
app.route("/v1/live", live);
app.route("/v1/media", uploads);
app.route("/media", images);

app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
});
app.openAPIRegistry.registerComponent("securitySchemes", "operatorToken", {
  type: "apiKey",
  in: "header",
  name: OPERATOR_HEADER,
  description: "The OPERATOR_TOKEN secret; only GET /v1/health reads it.",
});
app.doc31("/openapi.json", documentation);
app.get("/docs", docsPolicy, docsPage);

// Errors raised before routing (a body over the limit) still answer /api in RealWorld's envelope.
app.onError((error, c) => (isRealWorld(c.req.path) ? realWorldError(error, c) : onError(error, c)));
app.notFound(notFound);

export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
