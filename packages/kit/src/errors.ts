import type { ErrorCode, FieldError, Result, ServiceError } from "@flock/contracts";
import { DrizzleQueryError } from "drizzle-orm";

/** A failure with a machine-readable code; services return it as a Result, the gateway maps it to a status. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? code);
    this.name = "AppError";
  }

  toServiceError(): ServiceError {
    return { code: this.code, detail: this.detail, errors: this.errors };
  }
}

/**
 * A failure of the platform beneath a service rather than of the request: D1 unreachable, reset or
 * overloaded (a constraint violation is not one). The batch it hit rolled back whole, so the caller
 * may simply try again: it is a 503, not a 500.
 */
export function isTransient(error: unknown): boolean {
  const messages = causes(error);
  if (messages.some((message) => /constraint failed/i.test(message))) return false;
  return messages.some((message) =>
    /\bD1_|database is locked|Network connection lost|overloaded|storage operation/i.test(message),
  );
}

/**
 * What a database trigger refused, by the reason in its `RAISE(ABORT, 'flock_refused:<reason>')`,
 * as the failure a client sees.
 */
const refusals: Record<string, AppError> = {
  account_deleted: new AppError("unauthorized", "This account has been deleted."),
  post_deleted: new AppError("not_found", "The post no longer exists."),
  blocked: new AppError("forbidden", "A block stands between you and this account."),
  account_suspended: new AppError(
    "forbidden",
    "This account is suspended: it can sign in and read, but not write.",
  ),
};

function refusalOf(error: unknown): AppError | null {
  for (const message of causes(error)) {
    const reason = /flock_refused:([a-z_]+)/.exec(message)?.[1];
    if (reason) return refusals[reason] ?? null;
  }
  return null;
}

/** A write that names a row that no longer exists, such as an account deleted while its token lives on. */
export function isDangling(error: unknown): boolean {
  return causes(error).some((message) => /FOREIGN KEY constraint failed/i.test(message));
}

/**
 * A write that broke a unique index, such as two requests racing for one handle; with `table`, only
 * an index of that table counts.
 */
export function isUniqueViolation(error: unknown, table?: string): boolean {
  const prefix = table === undefined ? "" : `: ${table}.`;
  return causes(error).some((message) => message.includes(`UNIQUE constraint failed${prefix}`));
}

// drizzle wraps a driver error as "Failed query: ..." with the D1 error as its cause.
function chain(error: unknown): unknown[] {
  const links: unknown[] = [];
  for (
    let current = error;
    current && links.length < 5;
    current = (current as { cause?: unknown }).cause
  )
    links.push(current);
  return links;
}

function causes(error: unknown): string[] {
  return chain(error).map(String);
}

/** One link of an error chain as a log may show it: a failed query by its SQL, never its params. */
function described(link: unknown): string {
  return link instanceof DrizzleQueryError
    ? `${link.name}: Failed query: ${link.query}`
    : String(link);
}

/**
 * An error and its causes for a log line. drizzle puts a failed query's bound parameters (emails,
 * password hashes) in its message; this keeps the query's shape and the driver's error, not them.
 */
export function describeError(error: unknown): string {
  return chain(error).map(described).join("; cause: ");
}

/**
 * An error's stack for a log line, its first line replaced by describeError's account of it (the
 * stack starts with the message, which for a failed query holds its params).
 */
export function describeStack(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  const header = `${error.name}: ${error.message}`;
  const firstFrame = error.stack.indexOf("\n    at ");
  let frames = "";
  if (error.stack.startsWith(header)) frames = error.stack.slice(header.length);
  else if (firstFrame >= 0) frames = error.stack.slice(firstFrame);
  return `${describeError(error)}${frames}`;
}

/** Runs a service operation and reports its outcome as a Result, so RPC callers never see a raw throw. */
export async function toResult<T>(
  requestId: string,
  operation: () => Promise<T>,
): Promise<Result<T>> {
  try {
    return { ok: true, value: await operation() };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.toServiceError() };
    const refused = refusalOf(error);
    if (refused) return { ok: false, error: refused.toServiceError() };
    if (isDangling(error))
      return {
        ok: false,
        error: { code: "not_found", detail: "Something this request names no longer exists." },
      };
    if (isTransient(error)) {
      console.error(
        JSON.stringify({
          level: "warn",
          requestId,
          message: "transient failure",
          error: describeError(error),
        }),
      );
      return {
        ok: false,
        error: { code: "unavailable", detail: "A database is briefly unavailable; try again." },
      };
    }
    console.error(
      JSON.stringify({
        level: "error",
        requestId,
        message: describeError(error),
        stack: describeStack(error),
      }),
    );
    return { ok: false, error: { code: "internal" } };
  }
}

/** Returns the value of a Result or throws its failure as an AppError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new AppError(result.error.code, result.error.detail, result.error.errors);
}

/** The signed-in user a call acts for; operations that act for someone need one. */
export function actor(scope: { ctx: { actorId: string | null } }): string {
  if (!scope.ctx.actorId) throw new AppError("unauthorized", "Sign in first.");
  return scope.ctx.actorId;
}
