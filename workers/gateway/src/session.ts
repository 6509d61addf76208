import type { Device, SignIn, Standing, User } from "@flock/contracts";
import { AppError } from "@flock/kit";
import { issueToken, verifyToken } from "@flock/kit/auth";
import type { Context } from "hono";
import type { AppEnv, Env } from "./env";
import { callContext, read } from "./rpc";

type Secrets = Pick<Env, "JWT_SECRET" | "JWT_PREVIOUS_SECRET">;

const SCHEME = /^(?:Bearer|Token)\s+(\S+)$/i;

/** Who a verified token says is acting: a user, in one of their sessions. */
export type TokenSession = { userId: string; sessionId: string };

/**
 * The token an `Authorization` header presents: `Bearer <jwt>` as /v1 documents it, or `Token <jwt>`
 * as RealWorld's spec says (either works on both APIs). Null for a missing header or another shape.
 */
export function presentedToken(header: string | undefined): string | null {
  return SCHEME.exec(header?.trim() ?? "")?.[1] ?? null;
}

/**
 * The user and session a request's token names: null when it has no `Authorization` header (signed
 * out). A token that is not valid, has expired or names no session (one issued before sessions
 * existed) is a 401 even on public routes, so a client learns at once. Whether the session is still
 * live is for assertLive.
 */
export async function tokenSession(
  env: Secrets,
  header: string | undefined,
): Promise<TokenSession | null> {
  if (!header) return null;
  const token = presentedToken(header);
  const claims = token
    ? await verifyToken(token, {
        current: env.JWT_SECRET,
        previous: env.JWT_PREVIOUS_SECRET || undefined,
      })
    : null;
  if (!claims?.sid) throw new AppError("unauthorized", "The token is not valid or has expired.");
  return { userId: claims.sub, sessionId: claims.sid };
}

/**
 * A token for a session the users service has just opened (or, after a rename, for the same
 * session): tokens name the user, their handle and the session. The session is live, with the
 * standing the users service gave with it, so this isolate need not ask until its next check.
 */
export function issueSession(
  env: Pick<Env, "JWT_SECRET" | "SESSION_RECHECK_MS">,
  user: Pick<User, "id" | "handle">,
  sessionId: string,
  standing: Standing,
): Promise<string> {
  note(sessionId, { userId: user.id, standing }, recheckMs(env));
  return issueToken({ sub: user.id, handle: user.handle, sid: sessionId }, env.JWT_SECRET);
}

/** What a signing-in client tells about itself: its User-Agent, cut to the length sessions keep. */
export function deviceOf(c: Context<AppEnv>): Device {
  return { userAgent: c.req.header("user-agent")?.slice(0, 500) || null };
}

/** The signed-in user and session of a request, with its standing (behind the signedIn middleware). */
export function currentSession(c: Context<AppEnv>): TokenSession & { standing: Standing } {
  const userId = c.get("userId");
  const sessionId = c.get("sessionId");
  const standing = c.get("standing");
  if (!userId || !sessionId || !standing) throw new AppError("unauthorized", "Sign in first.");
  return { userId, sessionId, standing };
}

/** A sign-in's account with a token for its new session. */
export async function authResponse(
  env: Env,
  signIn: SignIn,
): Promise<{ user: User; token: string }> {
  return {
    user: signIn.user,
    token: await issueSession(env, signIn.user, signIn.sessionId, signIn.standing),
  };
}

// What this isolate last heard about each session (null once it has ended) and, while it is live,
// its account's standing, so that a token is not checked with the users service on every request. An ended session is refused at once here (see forgetSession) and, in
// every other isolate, once its entry is older than SESSION_RECHECK_MS: at most the 60 s DESIGN.md
// allows. Bounded, oldest entry out first, so a flood of tokens cannot grow it.
type Checked = { userId: string; standing: Standing | null; until: number };
const checked = new Map<string, Checked>();
const MAX_CHECKED = 10_000;
const MAX_RECHECK_MS = 60_000;

/** SESSION_RECHECK_MS as a number of milliseconds, never above the 60 s DESIGN.md allows. */
export function recheckMs(env: Pick<Env, "SESSION_RECHECK_MS">): number {
  const ms = env.SESSION_RECHECK_MS ? Number(env.SESSION_RECHECK_MS) : Number.NaN;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_RECHECK_MS) : MAX_RECHECK_MS;
}

function note(sessionId: string, entry: Omit<Checked, "until">, forMs: number): void {
  checked.delete(sessionId);
  if (checked.size >= MAX_CHECKED) {
    const oldest = checked.keys().next();
    if (!oldest.done) checked.delete(oldest.value);
  }
  checked.set(sessionId, { ...entry, until: Date.now() + forMs });
}

/**
 * The standing (role, age, suspension) of a token's account, or a 401 when its session has ended:
 * logged out, ended from another session, by a password change or with the account. Asks the users
 * service unless this isolate checked the session within SESSION_RECHECK_MS; a users service that
 * cannot answer is a 503, never a pass.
 */
export async function assertLive(c: Context<AppEnv>, token: TokenSession): Promise<Standing> {
  const known = checked.get(token.sessionId);
  let standing: Standing | null;
  if (known && known.until > Date.now() && known.userId === token.userId) standing = known.standing;
  else {
    // The request is not signed in until this answers: the context names the token's user itself.
    const ctx = { ...callContext(c), actorId: token.userId, sessionId: token.sessionId };
    standing = await read(c, "users", () => c.env.USERS.checkSession(ctx, token.sessionId));
    note(token.sessionId, { userId: token.userId, standing }, recheckMs(c.env));
  }
  if (!standing) throw new AppError("unauthorized", "This session has ended; sign in again.");
  return standing;
}

/** Refuses a session's tokens in this isolate from now on: it has just been ended through it. */
export function forgetSession(userId: string, sessionId: string): void {
  note(sessionId, { userId, standing: null }, MAX_RECHECK_MS);
}

/** Refuses in this isolate every session of a user it knows, but `keep` (the current one, if given). */
export function forgetSessionsOf(userId: string, keep?: string): void {
  for (const [sessionId, entry] of checked)
    if (entry.userId === userId && sessionId !== keep) entry.standing = null;
}

/**
 * Applies a suspension or unsuspension this isolate has just made to the sessions of the account
 * that it knows, so that they are refused (or allowed) here at once; other isolates learn it at
 * their next check, within SESSION_RECHECK_MS, and the owning services refuse the writes meanwhile.
 */
export function noteSuspension(userId: string, suspended: boolean): void {
  for (const entry of checked.values())
    if (entry.userId === userId && entry.standing)
      entry.standing = { ...entry.standing, suspended };
}
