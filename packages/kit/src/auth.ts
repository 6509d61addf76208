import { decode, sign, verify } from "hono/jwt";

// The most PBKDF2 iterations Workers allow. Each hash records its own count, so raising this later
// re-hashes every password at its owner's next sign-in (see needsRehash).
const ITERATIONS = 100_000;
const SCHEME = "pbkdf2-sha256";
const encoder = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * Hashes a password with PBKDF2-SHA256 and a fresh salt: `pbkdf2-sha256$<iterations>$<salt>$<hash>`.
 * `iterations` is the current setting; fewer make the weaker hashes that accounts made before a
 * raise still hold (tests of the re-hash store one).
 */
export async function hashPassword(password: string, iterations = ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** A stored hash for no one: checking against it costs the same as checking a real one. */
export const DUMMY_PASSWORD_HASH = `${SCHEME}$${ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;

/** The parts of a stored hash, or null when it is not one this module wrote. */
function parseHash(stored: string) {
  const [scheme, count, salt, hash, ...rest] = stored.split("$");
  const iterations = Number(count);
  // More than Workers allow could never have been written here, and would fail to derive.
  const counted = Number.isInteger(iterations) && iterations > 0 && iterations <= ITERATIONS;
  if (scheme !== SCHEME || !counted || !salt || !hash || rest.length > 0) return null;
  return { scheme, iterations, salt, hash };
}

/** Checks a password against a stored hash, at the iterations the hash records, in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const expected = fromBase64(parsed.hash);
  const actual = await derive(password, fromBase64(parsed.salt), parsed.iterations);
  return (
    actual.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(actual, expected)
  );
}

/** Whether a stored hash is weaker than what hashPassword writes now, so a sign-in should replace it. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return parsed === null || parsed.iterations < ITERATIONS;
}

/**
 * The account a sign-in names, as accounts are looked up and sign-in failures counted: a handle or
 * an email, lower-cased, without a leading `@`.
 */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase().replace(/^@/, "");
}

/** What a token says: the user, their handle and, since sessions exist, the session (`sid`) it belongs to. */
export type TokenClaims = { sub: string; handle: string; sid?: string };

/**
 * Who issues flock's tokens and what they are for: verification requires both, so a token another
 * system (or a future kind of flock token) signs with the same secret is not taken for a session.
 */
export const TOKEN_ISSUER = "flock";
export const TOKEN_AUDIENCE = "flock-api";

/**
 * The secrets tokens are signed and checked with. `current` signs every new token; `previous`, set
 * while a secret is being rotated, only verifies the tokens signed before the rotation.
 */
export type TokenSecrets = { current: string; previous?: string | undefined };

/** How long a token (and the session it names) lives: a week. */
export const TOKEN_TTL_SECONDS = 60 * 60 * 24 * 7;
// RFC 7518 asks for an HS256 key of at least 256 bits; a shorter one is a misconfiguration. The key
// is the secret's UTF-8 encoding, so that is what is counted, not its UTF-16 length.
const MIN_SECRET_BYTES = 32;

function checked(secret: string): string {
  if (encoder.encode(secret).byteLength < MIN_SECRET_BYTES)
    throw new Error(`A JWT secret must be at least ${MIN_SECRET_BYTES} bytes long (UTF-8).`);
  return secret;
}

function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const keyIds = new Map<string, Promise<string>>();

/**
 * The key id (`kid`) of a secret: the first 8 hex digits of its SHA-256. It names the key without
 * revealing it, so a verifier holding two secrets knows which one a token claims.
 */
export function keyId(secret: string): Promise<string> {
  let id = keyIds.get(secret);
  if (!id) {
    id = crypto.subtle
      .digest("SHA-256", encoder.encode(secret))
      .then((digest) =>
        [...new Uint8Array(digest).slice(0, 4)]
          .map((byte) => byte.toString(16).padStart(2, "0"))
          .join(""),
      );
    keyIds.set(secret, id);
  }
  return id;
}

/**
 * Issues an HS256 JWT for a user, valid for a week, from TOKEN_ISSUER to TOKEN_AUDIENCE, with the
 * signing secret's `kid` in its header.
 */
export async function issueToken(claims: TokenClaims, secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  // hono's sign writes a `kid` header only for a JSON Web Key: an "oct" key holding the same bytes.
  const key = {
    kty: "oct",
    k: toBase64Url(encoder.encode(checked(secret))),
    alg: "HS256",
    kid: await keyId(secret),
  };
  return sign(
    { ...claims, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat: now, exp: now + TOKEN_TTL_SECONDS },
    key,
    "HS256",
  );
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();

/**
 * The HMAC-SHA-256 key of some secret material, for one use (sign or verify), imported once per
 * isolate rather than once per token or header.
 */
export function hmacKey(material: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  const cacheKey = `${usage}:${material}`;
  let key = hmacKeys.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(material),
      { name: "HMAC", hash: "SHA-256" },
      false,
      [usage],
    );
    hmacKeys.set(cacheKey, key);
  }
  return key;
}

/** The secrets a token may have been signed with: the one its `kid` names, or any for a token without one. */
async function candidates(kid: unknown, secrets: TokenSecrets): Promise<string[]> {
  const known = [secrets.current, secrets.previous].flatMap((secret) =>
    secret ? [checked(secret)] : [],
  );
  // Tokens issued before key ids existed carry none; they expire within a week like any other.
  if (kid === undefined) return known;
  for (const secret of known) if ((await keyId(secret)) === kid) return [secret];
  return [];
}

/**
 * Verifies an HS256 JWT (signature, expiry, issuer and audience, which it must all have) with the
 * secret its `kid` names, and returns its claims; null when it is not valid or names a key we do not hold.
 */
export async function verifyToken(
  token: string,
  secrets: TokenSecrets,
): Promise<TokenClaims | null> {
  let kid: unknown;
  try {
    kid = decode(token).header.kid;
  } catch {
    return null;
  }
  for (const secret of await candidates(kid, secrets)) {
    try {
      const payload = await verify(token, await hmacKey(secret, "verify"), {
        alg: "HS256",
        iss: TOKEN_ISSUER,
        aud: TOKEN_AUDIENCE,
      });
      if (typeof payload.exp !== "number") return null;
      if (typeof payload.sub !== "string" || typeof payload.handle !== "string") return null;
      const sid = typeof payload.sid === "string" ? { sid: payload.sid } : {};
      return { sub: payload.sub, handle: payload.handle, ...sid };
    } catch {
      // Not this secret, or expired: try the next one, if any.
    }
  }
  return null;
}
