import type { ErrorCode, FieldError, Result, ServiceError } from "@flock/contracts";

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

/** Runs a service operation and reports its outcome as a Result, so RPC callers never see a raw throw. */
export async function toResult<T>(
  requestId: string,
  operation: () => Promise<T>,
): Promise<Result<T>> {
  try {
    return { ok: true, value: await operation() };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.toServiceError() };
    console.error(
      JSON.stringify({
        level: "error",
        requestId,
        message: String(error),
        stack: (error as Error)?.stack,
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
