import { Problem } from "@flock/contracts";
import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "./env";
import { validationHook } from "./problems";

/** A router whose routes are validated by their OpenAPI definitions and fail as problem+json. */
export function router() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

const problemDescriptions: Record<number, string> = {
  400: "Malformed request",
  401: "Not signed in, or the token is not valid",
  403: "Not allowed for this user",
  404: "Not found",
  409: "Conflict with the current state",
  413: "Request too large",
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

/** A JSON request body for an OpenAPI definition. */
export function body<T extends z.ZodType>(schema: T) {
  return { body: { content: { "application/json": { schema } }, required: true } };
}

export const HandleParam = z.object({ handle: z.string().min(1).max(64) });
export const IdParam = z.object({ id: z.string().min(1).max(64) });
export const bearer = [{ bearerAuth: [] }];
