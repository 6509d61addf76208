import {
  type ErrorCode,
  errorStatus,
  errorTitle,
  type FieldError,
  type Problem,
} from "@flock/contracts";
import { AppError, fieldErrors } from "@flock/kit";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { AppEnv } from "./env";
import { errorHeaders } from "./ratelimit";

const codeByStatus: Partial<Record<number, ErrorCode>> = Object.fromEntries(
  Object.entries(errorStatus).map(([code, status]) => [status, code as ErrorCode]),
);

/** Writes an RFC 9457 problem+json response; every error of every route goes through here. */
export function problem(
  c: Context<AppEnv>,
  code: ErrorCode,
  detail?: string,
  errors?: FieldError[],
  headers: Record<string, string> = {},
): Response {
  const status = errorStatus[code];
  const body: Problem = {
    type: `https://flock.dev/problems/${code.replaceAll("_", "-")}`,
    title: errorTitle[code],
    status,
    ...(detail ? { detail } : {}),
    requestId: c.get("requestId") ?? "unknown",
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, {
    "content-type": "application/problem+json",
    ...headers,
  });
}

/** Logs an error nothing expected, with the request id, for the 500 answered in its place. */
export function logUnexpected(c: Context<AppEnv>, error: unknown): void {
  console.error(
    JSON.stringify({
      level: "error",
      requestId: c.get("requestId"),
      message: String(error),
      stack: (error as Error)?.stack,
    }),
  );
}

/** Maps whatever was thrown to a problem; unknown errors are logged with the request id and answered 500. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof AppError)
    return problem(c, error.code, error.detail, error.errors, errorHeaders(error));
  if (error instanceof HTTPException) {
    const code = codeByStatus[error.status] ?? (error.status >= 500 ? "internal" : "bad_request");
    return problem(c, code, error.message || undefined);
  }
  logUnexpected(c, error);
  return problem(c, "internal", "Something went wrong on our side.");
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  problem(c, "not_found", `No route for ${c.req.method} ${c.req.path}.`);

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
