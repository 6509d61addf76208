import { env } from "cloudflare:workers";
import { AppError } from "@flock/kit";
import { issueToken } from "@flock/kit/auth";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { gateway } from "../test/helpers";
import { issueSession, presentedToken, sessionUser } from "./session";

const user = { id: "01JD0000000000000000000001", handle: "ada" };
const claims = { sub: user.id, handle: user.handle };

async function refusal(pending: Promise<unknown>): Promise<string | undefined> {
  try {
    await pending;
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
  return undefined;
}

describe("the session module", () => {
  it("reads a token from the Bearer and the Token scheme, in any case, and nothing else", () => {
    expect(presentedToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(presentedToken("Token abc.def.ghi")).toBe("abc.def.ghi");
    expect(presentedToken("  bearer   abc  ")).toBe("abc");
    expect(presentedToken("TOKEN abc")).toBe("abc");
    for (const header of [undefined, "", "Bearer", "Basic abc", "Bearer a b", "abc"])
      expect(presentedToken(header)).toBeNull();
  });

  it("signs a user in with a token it issued, under either scheme", async () => {
    const token = await issueSession(env, user);
    expect(await sessionUser(env, `Bearer ${token}`)).toBe(user.id);
    expect(await sessionUser(env, `Token ${token}`)).toBe(user.id);
  });

  it("treats a request without an Authorization header as signed out", async () => {
    expect(await sessionUser(env, undefined)).toBeNull();
    expect(await sessionUser(env, "")).toBeNull();
  });

  it("refuses a malformed, foreign or expired token with a 401", async () => {
    const foreign = await issueToken(claims, "some-other-secret-that-is-32-chars-long");
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(
      { sub: user.id, handle: user.handle, iat: now - 7200, exp: now - 3600 },
      env.JWT_SECRET,
      "HS256",
    );
    for (const header of ["Bearer not-a-jwt", "Basic abc", `Bearer ${foreign}`, `Token ${expired}`])
      expect(await refusal(sessionUser(env, header))).toBe("unauthorized");
  });

  it("still accepts a token of the previous secret while it is being rotated out", async () => {
    const previous = env.JWT_PREVIOUS_SECRET ?? "";
    expect(previous).not.toBe("");
    const old = await issueToken(claims, previous);
    expect(await sessionUser(env, `Bearer ${old}`)).toBe(user.id);
    const withoutPrevious = { JWT_SECRET: env.JWT_SECRET };
    expect(await refusal(sessionUser(withoutPrevious, `Bearer ${old}`))).toBe("unauthorized");
  });
});

describe("sessions on both APIs", () => {
  it("lets a valid token through to the service on /v1 and /api, either scheme", async () => {
    const token = await issueSession(env, user);
    // Past authentication the users service is asked, and it is not running here: a 503, not a 401.
    expect((await gateway("/v1/me", { headers: { authorization: `Token ${token}` } })).status).toBe(
      503,
    );
    const api = await gateway("/api/user", { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(503);
  });

  it("refuses a bad token even on a public route, in each API's own format", async () => {
    const headers = { authorization: "Bearer nope" };
    const v1 = await gateway("/v1/posts", { headers });
    expect(v1.status).toBe(401);
    expect(await v1.json()).toMatchObject({
      status: 401,
      detail: "The token is not valid or has expired.",
    });
    const api = await gateway("/api/articles", { headers });
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ errors: { token: ["is invalid"] } });
  });

  it("asks for a token where one is needed", async () => {
    const v1 = await gateway("/v1/feed");
    expect(v1.status).toBe(401);
    expect(await v1.json()).toMatchObject({ detail: "Sign in first." });
    const api = await gateway("/api/user");
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ errors: { token: ["is missing"] } });
  });
});
