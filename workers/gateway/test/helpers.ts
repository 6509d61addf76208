import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { Standing } from "@flock/contracts";
import { newId } from "@flock/kit";
import { Hono } from "hono";
import { expect } from "vitest";
import type { AppEnv } from "../src/env";
import worker from "../src/index";
import { issueSession } from "../src/session";

/** Sends a request to the gateway as deployed: its fetch with the bindings of wrangler.toml. */
export function gateway(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`https://flock.test${path}`, init));
}

/** A JSON request body with its content type. */
export function jsonBody(body: unknown, method = "POST"): RequestInit {
  return {
    method,
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

/** The standing of an ordinary account, as the users service would give it with a new session. */
export const MEMBER: Standing = {
  role: "member",
  createdAt: "2026-01-01T00:00:00.000Z",
  suspended: false,
};

/**
 * A token the gateway accepts, for an account the (absent) users service would know: issued for a
 * new session, which the gateway trusts without asking until it rechecks (SESSION_RECHECK_MS).
 */
export function tokenFor(id = "01JD0000000000000000000000", handle = "someone"): Promise<string> {
  return issueSession(env, { id, handle }, newId(), MEMBER);
}

/**
 * A one-route app whose route throws `error`, answered by the gateway's real error handler: how
 * errors no route of the gateway can be made to throw (a bug) are rendered.
 */
export function throwing(error: unknown, onError: Parameters<Hono<AppEnv>["onError"]>[0]) {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("requestId", "req-1");
    await next();
  });
  app.get("/", () => {
    throw error;
  });
  app.onError(onError);
  return (headers: Record<string, string> = {}) => app.request("/", { headers }, env);
}

/** Sends a request to the gateway with some of its vars or secrets replaced, as another deployment would have them. */
export function gatewayWith(
  changes: Partial<Record<"LOCAL_RUN" | "JWT_SECRET" | "JWT_PREVIOUS_SECRET", string>>,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return Promise.resolve(
    worker.fetch(
      new Request(`https://flock.test${path}`, init),
      { ...env, ...changes },
      createExecutionContext(),
    ),
  );
}

/** A problem+json answer's body. */
export async function problemOf(response: Response) {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return (await response.json()) as Record<string, unknown>;
}

/** Asserts a problem+json answer with the given fields (status among them). */
export async function expectProblem(
  response: Response,
  expected: { status: number; [field: string]: unknown },
) {
  expect(response.status).toBe(expected.status);
  expect(await problemOf(response)).toMatchObject(expected);
}
