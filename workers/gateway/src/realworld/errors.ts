import { type ErrorCode, errorStatus, type FieldError } from "@flock/contracts";
import { AppError } from "@flock/kit";
import type { Context, ErrorHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";
import { classify, type Failure } from "../problems";

/** The RealWorld error body: each field with its messages. */
export type Envelope = { errors: Record<string, string[]> };

/** A resource a RealWorld 404 or 403 names, as its `errors` key. */
export type Resource = "article" | "comment" | "profile" | "route";

// RealWorld has no 400: a body it cannot read is as unprocessable as one with a bad field.
const statusOf: Record<ErrorCode, number> = { ...errorStatus, bad_request: 422 };

/** flock's field names where RealWorld calls the same field something else. */
const fieldNames: Record<string, string> = {
  handle: "username",
  avatarUrl: "image",
  login: "email",
  tags: "tagList",
  "(body)": "request",
};

const GENERIC = "something went wrong on our side";

/** Failures without field errors: the key and message RealWorld clients expect for each. */
function fallback(c: Context<AppEnv>, failure: Failure): FieldError {
  switch (failure.code) {
    case "unauthorized":
      return {
        path: "token",
        message: c.req.header("authorization") ? "is invalid" : "is missing",
      };
    case "not_found":
      return { path: "resource", message: "not found" };
    case "forbidden":
      return { path: "resource", message: "forbidden" };
    case "conflict":
      return { path: "resource", message: "has already been taken" };
    case "bad_request":
      // The only 400 there is: hono's JSON validator refusing a body that does not parse.
      return { path: "request", message: "is not valid JSON" };
    case "unavailable":
      return { path: "server", message: failure.detail ?? GENERIC };
    case "internal":
      return { path: "server", message: GENERIC };
    default:
      return { path: "request", message: failure.detail ?? failure.code.replaceAll("_", " ") };
  }
}

/**
 * The RealWorld field an error path names: the field inside a request's wrapper (`user.email` is
 * `email`, `article.tagList.0` is `tagList`), else its first part (`tags.0` is `tags`), in
 * RealWorld's words.
 */
function fieldOf(path: string): string {
  const [first = path, second] = path.split(".");
  const field = second !== undefined && !/^\d+$/.test(second) ? second : first;
  return fieldNames[field] ?? field;
}

/** Groups field errors by RealWorld field name: `tags.0` and `tags.1` both become `tagList`. */
export function envelope(errors: readonly FieldError[]): Envelope {
  const grouped: Record<string, string[]> = {};
  for (const { path, message } of errors) {
    const field = fieldOf(path);
    grouped[field] = [...(grouped[field] ?? []), message];
  }
  return { errors: grouped };
}

/** Writes a failure in RealWorld's envelope and status codes. */
function realWorldFailure(c: Context<AppEnv>, failure: Failure): Response {
  const given = failure.errors ?? [];
  const errors =
    failure.code === "conflict"
      ? given.map((entry) => ({ ...entry, message: "has already been taken" }))
      : given;
  return c.json(
    envelope(errors.length > 0 ? errors : [fallback(c, failure)]),
    statusOf[failure.code] as ContentfulStatusCode,
    failure.headers,
  );
}

/** Answers every /api failure in RealWorld's envelope (see classify). */
export const realWorldError: ErrorHandler<AppEnv> = (error, c) =>
  realWorldFailure(c, classify(c, error));

/** A 404 naming the resource that is missing: `{errors: {article: ["not found"]}}`. */
export function notFound(resource: Resource): AppError {
  return new AppError("not_found", `No such ${resource}.`, [
    { path: resource, message: "not found" },
  ]);
}

/**
 * Awaits a service call about one resource and names that resource in its 404 or 403, as RealWorld
 * clients expect (`{errors: {comment: ["forbidden"]}}`); other failures pass through unchanged.
 */
export async function about<T>(resource: Resource, pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") throw notFound(resource);
    if (error instanceof AppError && error.code === "forbidden")
      throw new AppError("forbidden", error.detail, [{ path: resource, message: "forbidden" }]);
    throw error;
  }
}
