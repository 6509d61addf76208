import { AppError } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { gateway, jsonBody, throwing, tokenFor } from "../../test/helpers";
import { RateLimited } from "../ratelimit";
import { about, envelope, realWorldError } from "./errors";

const register = (user: unknown) => gateway("/api/users", jsonBody({ user }));

describe("RealWorld's error envelope on /api", () => {
  it("answers invalid fields with a 422 per RealWorld field, inside the request's wrapper", async () => {
    const response = await register({ username: " ", password: "" });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      errors: {
        username: ["can't be blank"],
        email: ["can't be blank"],
        password: ["can't be blank"],
      },
    });
    const article = await gateway("/api/articles", {
      ...jsonBody({ article: { title: "t", description: "", body: "b", tagList: ["ok", 1] } }),
      headers: {
        "content-type": "application/json",
        authorization: `Token ${await tokenFor()}`,
      },
    });
    expect(article.status).toBe(422);
    expect(await article.json()).toEqual({
      errors: { description: ["can't be blank"], tagList: ["must be a string"] },
    });
  });

  it("answers a body that is not JSON with a 422, as RealWorld has no 400", async () => {
    const response = await gateway("/api/users/login", jsonBody("{not json"));
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ errors: { request: ["is not valid JSON"] } });
    const notAnObject = await register(undefined);
    expect(notAnObject.status).toBe(422);
    expect(await notAnObject.json()).toEqual({ errors: { user: ["can't be blank"] } });
  });

  it("answers an unknown route with a 404 on route", async () => {
    const response = await gateway("/api/nothing-here");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ errors: { route: ["not found"] } });
  });

  it("answers a body over 64 KiB with a 413 in the envelope", async () => {
    const response = await register({ username: "x".repeat(70_000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: { request: ["Request bodies are limited to 64 KiB."] },
    });
  });

  it("answers a service that is down with a 503 on server", async () => {
    const response = await gateway("/api/profiles/someone");
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      errors: { server: ["The users service is unavailable; try again shortly."] },
    });
  });

  it("answers an unexpected error with a generic 500 that shows nothing of it", async () => {
    const response = await throwing(new Error("secret detail"), realWorldError)();
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      errors: { server: ["something went wrong on our side"] },
    });
  });

  it("maps the classes of AppError to RealWorld's keys and statuses", async () => {
    const cases: Array<[AppError, number, Record<string, string[]>]> = [
      [new AppError("unauthorized"), 401, { token: ["is missing"] }],
      [new AppError("not_found"), 404, { resource: ["not found"] }],
      [new AppError("forbidden"), 403, { resource: ["forbidden"] }],
      [
        new AppError("conflict", "Taken.", [{ path: "handle", message: "is taken" }]),
        409,
        { username: ["has already been taken"] },
      ],
      [new AppError("conflict"), 409, { resource: ["has already been taken"] }],
      [new AppError("bad_request"), 422, { request: ["is not valid JSON"] }],
      [new AppError("internal", "a detail"), 500, { server: ["something went wrong on our side"] }],
    ];
    for (const [error, status, errors] of cases) {
      const response = await throwing(error, realWorldError)();
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ errors });
    }
    const withToken = await throwing(
      new AppError("unauthorized"),
      realWorldError,
    )({
      authorization: "Token x",
    });
    expect(await withToken.json()).toEqual({ errors: { token: ["is invalid"] } });
    const limited = await throwing(new RateLimited("Slow down.", 60), realWorldError)();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(await limited.json()).toEqual({ errors: { request: ["Slow down."] } });
  });

  it("names a missing or forbidden resource after what was asked for", async () => {
    const missing = about("comment", Promise.reject(new AppError("not_found", "No such.")));
    await expect(missing).rejects.toMatchObject({
      code: "not_found",
      errors: [{ path: "comment", message: "not found" }],
    });
    const refused = about("article", Promise.reject(new AppError("forbidden", "Not yours.")));
    await expect(refused).rejects.toMatchObject({
      code: "forbidden",
      errors: [{ path: "article", message: "forbidden" }],
    });
    await expect(about("article", Promise.reject(new AppError("conflict")))).rejects.toMatchObject({
      code: "conflict",
      errors: undefined,
    });
  });
});

describe("RealWorld field names", () => {
  it("groups field errors under RealWorld's names, unwrapping the request's wrapper", () => {
    expect(
      envelope([
        { path: "tags.0", message: "bad" },
        { path: "tags.3", message: "worse" },
        { path: "handle", message: "taken" },
        { path: "avatarUrl", message: "not a URL" },
        { path: "login", message: "required" },
        { path: "user.email", message: "can't be blank" },
        { path: "article.tagList.0", message: "must be a string" },
        { path: "(body)", message: "must be an object" },
        { path: "limit", message: "must be a number" },
      ]),
    ).toEqual({
      errors: {
        tagList: ["bad", "worse", "must be a string"],
        username: ["taken"],
        image: ["not a URL"],
        email: ["required", "can't be blank"],
        request: ["must be an object"],
        limit: ["must be a number"],
      },
    });
  });
});
