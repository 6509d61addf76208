import { type ErrorCode, errorStatus, type FieldError } from "@flock/contracts";
import { AppError } from "@flock/kit";
import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";
import { logUnexpected } from "../problems";
import { errorHeaders } from "../ratelimit";

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

/** Failures without field errors: the key and message RealWorld clients expect for each. */
function fallback(c: Context<AppEnv>, error: AppError): FieldError {
  switch (error.code) {
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
    case "unavailable":
    case "internal":
      return { path: "server", message: error.detail ?? "something went wrong on our side" };
    default:
      return { path: "request", message: error.detail ?? error.code.replaceAll("_", " ") };
  }
}

/** Groups field errors by RealWorld field name: `tags.0` and `tags.1` both become `tagList`. */
export function envelope(errors: readonly FieldError[]): Envelope {
  const grouped: Record<string, string[]> = {};
  for (const { path, message } of errors) {
    const head = path.split(".")[0] ?? path;
    const field = fieldNames[head] ?? head;
    grouped[field] = [...(grouped[field] ?? []), message];
  }
  return { errors: grouped };
}

function respond(
  c: Context<AppEnv>,
  code: ErrorCode,
  errors: readonly FieldError[],
  headers: Record<string, string> = {},
): Response {
  return c.json(envelope(errors), statusOf[code] as ContentfulStatusCode, headers);
}

/** Answers every /api failure in RealWorld's envelope and status codes; unknown errors are logged, then a 500. */
export const realWorldError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof AppError) {
    const errors =
      error.code === "conflict"
        ? (error.errors ?? []).map((entry) => ({ ...entry, message: "has already been taken" }))
        : (error.errors ?? []);
    return respond(
      c,
      error.code,
      errors.length > 0 ? errors : [fallback(c, error)],
      errorHeaders(error),
    );
  }
  if (error instanceof HTTPException && error.status < 500) {
    // hono's JSON validator throws a 400 for a body that does not parse; RealWorld has no 400.
    const malformed = error.status === 400;
    return c.json(
      envelope([
        {
          path: "request",
          message: malformed ? "is not valid JSON" : error.message || "is not valid",
        },
      ]),
      malformed ? 422 : error.status,
    );
  }
  logUnexpected(c, error);
  return respond(c, "internal", [{ path: "server", message: "something went wrong on our side" }]);
};

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
