import { AppError } from "@flock/kit";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { expectProblem, gateway, jsonBody, problemOf, throwing } from "../test/helpers";
import { onError } from "./problems";
import { RateLimited } from "./ratelimit";

describe("problem+json on /v1", () => {
  it("answers invalid fields with a 422 naming each field", async () => {
    const response = await gateway(
      "/v1/auth/register",
      jsonBody({ handle: "x", email: "not-an-email", password: "short" }),
    );
    expect(response.status).toBe(422);
    const body = await problemOf(response);
    expect(body).toMatchObject({
      type: "https://flock.dev/problems/validation",
      title: "Invalid fields",
      status: 422,
      requestId: response.headers.get("x-request-id"),
    });
    const fields = (body.errors as Array<{ path: string }>).map((error) => error.path);
    expect(fields).toEqual(expect.arrayContaining(["handle", "email", "password"]));
  });

  it("answers a body that is not JSON with a 400 and no field errors", async () => {
    const response = await gateway("/v1/auth/login", jsonBody("{not json"));
    expect(response.status).toBe(400);
    const body = await problemOf(response);
    expect(body).toMatchObject({ status: 400, title: "Malformed request" });
    expect(body.errors).toBeUndefined();
  });

  it("answers an unknown route with a 404 naming it", async () => {
    await expectProblem(await gateway("/v1/nothing-here"), {
      status: 404,
      detail: "No route for GET /v1/nothing-here.",
    });
  });

  it("answers a body over 64 KiB with a 413 before reading it", async () => {
    await expectProblem(await gateway("/v1/auth/login", jsonBody({ login: "x".repeat(70_000) })), {
      status: 413,
      title: "Request too large",
    });
  });

  it("answers a service that is down with a 503", async () => {
    await expectProblem(await gateway("/v1/users/someone"), {
      status: 503,
      detail: "The users service is unavailable; try again shortly.",
    });
  });

  it("answers an unexpected error with a generic 500 that shows nothing of it", async () => {
    const response = await throwing(new Error("secret detail at line 42"), onError)();
    expect(response.status).toBe(500);
    const text = await response.clone().text();
    expect(text).not.toContain("secret detail");
    expect(text).not.toContain("at ");
    expect(await problemOf(response)).toEqual({
      type: "https://flock.dev/problems/internal",
      title: "Internal error",
      status: 500,
      detail: "Something went wrong on our side.",
      requestId: "req-1",
    });
  });

  it("keeps an AppError's code, detail and field errors, and a 429's Retry-After", async () => {
    const conflict = new AppError("conflict", "Taken.", [{ path: "handle", message: "is taken" }]);
    expect(await problemOf(await throwing(conflict, onError)())).toMatchObject({
      status: 409,
      detail: "Taken.",
      errors: [{ path: "handle", message: "is taken" }],
    });
    const limited = await throwing(new RateLimited("Slow down.", 60), onError)();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
  });

  it("gives hono's own HTTP errors the code of their status, and hides a 5xx's message", async () => {
    const forbidden = await throwing(new HTTPException(403, { message: "No." }), onError)();
    expect(await problemOf(forbidden)).toMatchObject({ status: 403, detail: "No." });
    const odd = await throwing(new HTTPException(418, { message: "teapot" }), onError)();
    expect(odd.status).toBe(400);
    const broken = await throwing(new HTTPException(500, { message: "internals" }), onError)();
    expect(await problemOf(broken)).toMatchObject({
      status: 500,
      detail: "Something went wrong on our side.",
    });
  });
});

describe("request ids and CORS", () => {
  it("echoes a sane x-request-id on every answer, errors included, and makes one otherwise", async () => {
    for (const given of ["trace-123", "web:1.2_x", "abc=="]) {
      const response = await gateway("/v1/nothing-here", { headers: { "x-request-id": given } });
      expect(response.headers.get("x-request-id")).toBe(given);
      expect(((await response.json()) as { requestId: string }).requestId).toBe(given);
    }
    for (const insane of ["has space", "<script>", "x".repeat(129)]) {
      const response = await gateway("/api/nothing", { headers: { "x-request-id": insane } });
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("allows any origin while CORS_ORIGINS is *", async () => {
    const preflight = await gateway("/v1/me", {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "PATCH" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Idempotency-Key");
  });
});
