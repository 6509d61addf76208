import { env } from "cloudflare:workers";
import { AppError, newId } from "@flock/kit";
import { issueToken } from "@flock/kit/auth";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { gateway, MEMBER } from "../test/helpers";
import {
  forgetSession,
  forgetSessionsOf,
  issueSession,
  presentedToken,
  recheckMs,
  tokenSession,
} from "./session";

const user = { id: "01JD0000000000000000000001", handle: "ada" };
const sid = "01JD0000000000000000000S01";
const claims = { sub: user.id, handle: user.handle, sid };

async function refusal(pending: Promise<unknown>): Promise<string | undefined> {
  try {
    await pending;
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
  return undefined;
}

/** A post with no body: a 422 once the token is trusted, before any service is called. */
const invalidPost = (token: string) =>
  gateway("/v1/posts", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: "{}",
  });

describe("the session module", () => {
  it("reads a token from the Bearer and the Token scheme, in any case, and nothing else", () => {
    expect(presentedToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(presentedToken("Token abc.def.ghi")).toBe("abc.def.ghi");
    expect(presentedToken("  bearer   abc  ")).toBe("abc");
    expect(presentedToken("TOKEN abc")).toBe("abc");
    for (const header of [undefined, "", "Bearer", "Basic abc", "Bearer a b", "abc"])
      expect(presentedToken(header)).toBeNull();
  });

  it("reads the user and the session from a token it issued, under either scheme", async () => {
    const token = await issueSession(env, user, sid, MEMBER);
    const named = { userId: user.id, sessionId: sid };
    expect(await tokenSession(env, `Bearer ${token}`)).toEqual(named);
    expect(await tokenSession(env, `Token ${token}`)).toEqual(named);
  });

  it("treats a request without an Authorization header as signed out", async () => {
    expect(await tokenSession(env, undefined)).toBeNull();
    expect(await tokenSession(env, "")).toBeNull();
  });

  it("refuses a token from before sessions, which names none, with a 401", async () => {
    const old = await issueToken({ sub: user.id, handle: user.handle }, env.JWT_SECRET);
    expect(await refusal(tokenSession(env, `Bearer ${old}`))).toBe("unauthorized");
  });

  it("refuses a malformed, foreign or expired token with a 401", async () => {
    const foreign = await issueToken(claims, "some-other-secret-that-is-32-chars-long");
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(
      { ...claims, iat: now - 7200, exp: now - 3600 },
      env.JWT_SECRET,
      "HS256",
    );
    for (const header of ["Bearer not-a-jwt", "Basic abc", `Bearer ${foreign}`, `Token ${expired}`])
      expect(await refusal(tokenSession(env, header))).toBe("unauthorized");
  });

  it("still accepts a token of the previous secret while it is being rotated out", async () => {
    const previous = env.JWT_PREVIOUS_SECRET ?? "";
    expect(previous).not.toBe("");
    const old = await issueToken(claims, previous);
    expect((await tokenSession(env, `Bearer ${old}`))?.userId).toBe(user.id);
    const withoutPrevious = { JWT_SECRET: env.JWT_SECRET };
    expect(await refusal(tokenSession(withoutPrevious, `Bearer ${old}`))).toBe("unauthorized");
  });
});

describe("sessions on both APIs", () => {
  it("lets a valid token through to the service on /v1 and /api, either scheme", async () => {
    const token = await issueSession(env, user, newId(), MEMBER);
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

describe("the isolate's memory of sessions", () => {
  it("trusts a session it has just opened, and refuses at once one ended through it", async () => {
    const [ended, other, kept] = [newId(), newId(), newId()];
    const tokens = await Promise.all(
      [ended, other, kept].map((id) => issueSession(env, user, id, MEMBER)),
    );
    // Not asked (it is not running here, which would be a 503): the body is checked, a 422.
    for (const token of tokens) expect((await invalidPost(token)).status).toBe(422);
    forgetSession(user.id, ended);
    const refused = await invalidPost(tokens[0] ?? "");
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      detail: "This session has ended; sign in again.",
    });
    forgetSessionsOf(user.id, kept);
    expect((await invalidPost(tokens[1] ?? "")).status).toBe(401);
    const realWorld = await gateway("/api/user", {
      headers: { authorization: `Token ${tokens[1]}` },
    });
    expect(realWorld.status).toBe(401);
    expect((await invalidPost(tokens[2] ?? "")).status).toBe(422);
  });

  it("asks the users service about a session it has not heard of, and fails closed when it cannot", async () => {
    const stranger = await issueToken({ ...claims, sid: newId() }, env.JWT_SECRET);
    const reply = await invalidPost(stranger);
    expect(reply.status).toBe(503);
    expect(await reply.json()).toMatchObject({ detail: expect.stringContaining("users") });
    // Even a public route needs the answer: a token whose session cannot be checked is not trusted.
    expect(
      (await gateway("/v1/posts", { headers: { authorization: `Bearer ${stranger}` } })).status,
    ).toBe(503);
  });

  it("rechecks within 60 seconds at most, whatever SESSION_RECHECK_MS says", () => {
    expect(recheckMs({ SESSION_RECHECK_MS: "60000" })).toBe(60_000);
    expect(recheckMs({ SESSION_RECHECK_MS: "1000" })).toBe(1000);
    expect(recheckMs({ SESSION_RECHECK_MS: "3600000" })).toBe(60_000);
    for (const bad of [undefined, "", "soon", "-5"])
      expect(recheckMs({ SESSION_RECHECK_MS: bad })).toBe(60_000);
  });
});
