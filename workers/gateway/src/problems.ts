import {
  type ErrorCode,
  errorStatus,
  errorTitle,
  type FieldError,
  type Problem,
} from "@flock/contracts";
import { AppError, describeError, describeStack, fieldErrors } from "@flock/kit";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { AppEnv } from "./env";
import { errorHeaders } from "./ratelimit";

/**
 * A failure as both of the gateway's error formats render it: /v1's problem+json and RealWorld's
 * envelope under /api. `detail` is safe to show a client: nothing unexpected ever reaches it.
 */
export type Failure = {
  code: ErrorCode;
  detail?: string | undefined;
  errors?: readonly FieldError[] | undefined;
  headers?: Record<string, string>;
};

const codeByStatus: Partial<Record<number, ErrorCode>> = Object.fromEntries(
  Object.entries(errorStatus).map(([code, status]) => [status, code as ErrorCode]),
);

/** Logs an error nothing expected, with the request id, for the 500 answered in its place. */
function logUnexpected(c: Context<AppEnv>, error: unknown): void {
  console.error(
    JSON.stringify({
      level: "error",
      requestId: c.get("requestId"),
      message: describeError(error),
      stack: describeStack(error),
    }),
  );
}

/**
 * Classifies whatever a route threw. An AppError keeps its code; hono's own HTTP errors (a body that
 * is not JSON is its 400) take the code of their status; anything else is logged with the request id
 * and becomes a generic internal failure, so no message or stack of ours ever reaches a client.
 */
export function classify(c: Context<AppEnv>, error: unknown): Failure {
  if (error instanceof AppError)
    return {
      code: error.code,
      detail: error.detail,
      errors: error.errors,
      headers: errorHeaders(error),
    };
  if (error instanceof HTTPException && error.status < 500)
    return {
      code: codeByStatus[error.status] ?? "bad_request",
      detail: error.message || undefined,
    };
  logUnexpected(c, error);
  return { code: "internal", detail: "Something went wrong on our side." };
}

/** Writes an RFC 9457 problem+json response; every /v1 error goes through here. */
export function problem(c: Context<AppEnv>, failure: Failure): Response {
  const { code, detail, errors, headers = {} } = failure;
  const status = errorStatus[code];
  const body: Problem = {
    type: `https://flock.dev/problems/${code.replaceAll("_", "-")}`,
    title: errorTitle[code],
    status,
    ...(detail ? { detail } : {}),
    requestId: c.get("requestId") ?? "unknown",
    ...(errors && errors.length > 0 ? { errors: [...errors] } : {}),
  };
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, {
    "content-type": "application/problem+json",
    ...headers,
  });
}

/** Answers whatever was thrown as a problem (see classify). */
export const onError: ErrorHandler<AppEnv> = (error, c) => problem(c, classify(c, error));

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  problem(c, { code: "not_found", detail: `No route for ${c.req.method} ${c.req.path}.` });

/** The validation hook of every route: zod errors become a 422 problem, never their raw shape. */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError },
): void {
  if (!result.success)
    throw new AppError(
      "validation",
      "Some fields are not valid.",
      fieldErrors(result.error.issues),
    );
}
