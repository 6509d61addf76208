import { decode, sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import {
  hashPassword,
  issueToken,
  keyId,
  needsRehash,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  verifyPassword,
  verifyToken,
} from "./auth";

const SECRET = "kit-test-secret-0123456789abcdefghij";
const claims = { sub: "01JD0000000000000000000001", handle: "ada" };

/** A token signed here with SECRET and its kid, carrying exactly the claims given. */
async function signed(payload: Record<string, unknown>): Promise<string> {
  const k = btoa(SECRET).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return sign(payload, { kty: "oct", k, alg: "HS256", kid: await keyId(SECRET) }, "HS256");
}

describe("JWT secrets", () => {
  it("counts a secret's UTF-8 bytes, not its characters", async () => {
    // 16 characters, 32 bytes: long enough as a key.
    const accented = "é".repeat(16);
    expect(accented.length).toBe(16);
    const token = await issueToken(claims, accented);
    expect(await verifyToken(token, { current: accented })).toEqual(claims);
    // 31 bytes is one short, however it is written.
    await expect(issueToken(claims, "a".repeat(31))).rejects.toThrow(/32 bytes/);
    await expect(issueToken(claims, `${"é".repeat(15)}a`)).rejects.toThrow(/32 bytes/);
  });
});

describe("tokens", () => {
  it("carry flock's issuer and audience", async () => {
    const token = await issueToken(claims, SECRET);
    expect(decode(token).payload).toMatchObject({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE });
    expect(await verifyToken(token, { current: SECRET })).toEqual(claims);
  });

  it("are refused without the issuer or audience, or with others, even when well signed", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const full = { ...claims, exp, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE };
    expect(await verifyToken(await signed(full), { current: SECRET })).toEqual(claims);
    const { iss: _iss, ...withoutIssuer } = full;
    const { aud: _aud, ...withoutAudience } = full;
    for (const payload of [
      withoutIssuer,
      withoutAudience,
      { ...full, iss: "someone-else" },
      { ...full, aud: "another-api" },
    ])
      expect(await verifyToken(await signed(payload), { current: SECRET })).toBeNull();
  });
});

describe("password hashes", () => {
  it("record their algorithm and iterations", async () => {
    const stored = await hashPassword("correct horse");
    expect(stored).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("wrong horse", stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it("verify a weaker hash at the iterations it records, and mark it for re-hashing", async () => {
    const weaker = await hashPassword("correct horse", 1_000);
    expect(weaker.startsWith("pbkdf2-sha256$1000$")).toBe(true);
    expect(await verifyPassword("correct horse", weaker)).toBe(true);
    expect(await verifyPassword("wrong horse", weaker)).toBe(false);
    expect(needsRehash(weaker)).toBe(true);
  });

  it("refuse what this module never writes: another scheme, a bad count, a stray part", async () => {
    const [, , salt, hash] = (await hashPassword("pw")).split("$");
    for (const stored of [
      `bcrypt$100000$${salt}$${hash}`,
      `pbkdf2-sha256$200000$${salt}$${hash}`,
      `pbkdf2-sha256$0$${salt}$${hash}`,
      `pbkdf2-sha256$1e3$${salt}$${hash}`,
      `pbkdf2-sha256$100000$${salt}$${hash}$extra`,
      "",
    ]) {
      expect(await verifyPassword("pw", stored)).toBe(false);
      expect(needsRehash(stored)).toBe(true);
    }
  });
});
