import { Problem } from "@flock/contracts";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { z } from "zod";
import type { AppEnv } from "./env";
import { validationHook } from "./problems";

/** A router whose routes are validated by their OpenAPI definitions and fail as problem+json. */
export function router() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/** What /openapi.json says besides its routes, which come from their definitions. */
export const documentation = {
  openapi: "3.1.0",
  info: {
    title: "flock",
    version: "1.0.0",
    description:
      "A social-posts application on a mesh of Cloudflare Workers. Errors are application/problem+json. " +
      "A token that is not valid is refused with 401 on every route, public ones included. " +
      "Every response that read or wrote data carries an opaque Flock-Bookmark header: send the last " +
      "one back as a request header (several, comma-separated, are merged) to read at least as fresh " +
      "as your own writes wherever reads are served by replicas; a header that is not valid is ignored. " +
      "The RealWorld (Conduit) API under /api follows its own specification and is not described here.",
    license: { name: "MIT", identifier: "MIT" },
  },
  // The gateway serves the API and this document from one origin, wherever it is deployed.
  servers: [{ url: "/", description: "The gateway that serves this document" }],
  tags: [
    { name: "auth", description: "Create an account or sign in, for a bearer token" },
    { name: "me", description: "The signed-in user's account and friend requests" },
    { name: "users", description: "Profiles, follows and friendships" },
    { name: "safety", description: "Blocking and muting accounts" },
    { name: "posts", description: "Posts, shares, likes and timelines" },
    { name: "comments", description: "Comments on posts, their moderation and reports" },
    { name: "notifications", description: "The signed-in user's notifications" },
    { name: "live", description: "A WebSocket of new notifications and posts, as they happen" },
    { name: "media", description: "Uploaded images, for posts and avatars" },
    { name: "search", description: "Full-text search of posts, people and tags" },
    { name: "health", description: "Whether every service is up" },
    {
      name: "moderation",
      description: "For moderators: the report queue, suspensions, the audit log",
    },
  ],
};

const problemDescriptions: Record<number, string> = {
  400: "Malformed request",
  401: "Not signed in, or the token is not valid",
  403: "Not allowed for this user",
  404: "Not found",
  409: "Conflict with the current state",
  413: "Request too large",
  415: "Not an image of a supported type, or not the type declared",
  422: "Invalid fields, one entry per field",
  429: "Too many requests",
  503: "A service is unavailable",
};

const retryAfter = {
  "Retry-After": {
    description: "Seconds to wait before trying again",
    schema: { type: "integer" as const },
  },
};

/** The problem responses a route can give, for its OpenAPI definition. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: problemDescriptions[status] ?? "Error",
        content: { "application/problem+json": { schema: Problem } },
        ...(status === 429 ? { headers: retryAfter } : {}),
      },
    ]),
  );
}

/** A JSON response for an OpenAPI definition. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A JSON request body for an OpenAPI definition; one not `required` reads as `{}` when absent. */
export function body<T extends z.ZodType>(schema: T, required = true) {
  return { body: { content: { "application/json": { schema } }, required } };
}

// Every /v1 route checks a token it is given, so a token that is not valid is a 401 even where none
// is needed; `security` says whether a route needs one, and whether the answer depends on it.
type Security = Record<string, string[]>[];

/** Routes that need a signed-in user. */
export const bearer: Security = [{ bearerAuth: [] }];

/** Public routes whose answer depends on who asks (a `viewer` field, your own held comments). */
export const optionalBearer: Security = [{}, { bearerAuth: [] }];

/** Routes for moderators, or for the operator's monitoring with the operator token. */
export const moderatorOrOperator: Security = [{ bearerAuth: [] }, { operatorToken: [] }];

/** Public routes whose answer is the same for everyone. */
export const anyone: Security = [];
