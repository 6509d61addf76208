import { z } from "zod";

export const ErrorCode = z.enum([
  "bad_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "validation",
  "rate_limited",
  "unavailable",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const errorStatus = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<ErrorCode, number>;

export const errorTitle = {
  bad_request: "Malformed request",
  unauthorized: "Not signed in",
  forbidden: "Not allowed",
  not_found: "Not found",
  conflict: "Conflict",
  payload_too_large: "Request too large",
  unsupported_media_type: "Unsupported media type",
  validation: "Invalid fields",
  rate_limited: "Too many requests",
  unavailable: "Service unavailable",
  internal: "Internal error",
} as const satisfies Record<ErrorCode, string>;

export const FieldError = z
  .object({ path: z.string(), message: z.string() })
  .meta({ id: "FieldError" });
export type FieldError = z.infer<typeof FieldError>;

/** The body of every error response (RFC 9457 problem details). */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    requestId: z.string(),
    errors: z.array(FieldError).optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof Problem>;

/** A failure a service reports over RPC; the gateway turns it into a Problem. */
export const ServiceError = z.object({
  code: ErrorCode,
  detail: z.string().optional(),
  errors: z.array(FieldError).optional(),
});
export type ServiceError = z.infer<typeof ServiceError>;

/**
 * What every RPC method returns: a value, or a failure the caller can map to a status. `bookmark` is
 * the state of the service's database after the call (its write, or what it read), for the caller to
 * pass on so that its next read is at least as fresh.
 */
export type Result<T> = ({ ok: true; value: T } | { ok: false; error: ServiceError }) & {
  bookmark?: string;
};
