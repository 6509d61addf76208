import {
  type Device,
  Device as DeviceSchema,
  type Session,
  type SessionList,
  type Standing,
} from "@flock/contracts";
import { AppError, newId, nowIso, parseInput, type Statement } from "@flock/kit";
import { TOKEN_TTL_SECONDS } from "@flock/kit/auth";
import { and, desc, eq, gt, lt, ne, notInArray, or } from "drizzle-orm";
import { sessions, users } from "./db/schema";
import { standingOf } from "./profiles";
import { actor, type Scope } from "./scope";

// A session ends with the token it was opened for: a week after sign-in.
const SESSION_TTL_MS = TOKEN_TTL_SECONDS * 1000;
// The gateway checks a session at most once a minute per isolate; lastUsedAt is as coarse.
const TOUCH_EVERY_MS = 60_000;
/** Signing in again beyond this many live sessions ends the oldest, so the list stays short. */
export const MAX_SESSIONS = 50;

function liveSince(now = Date.now()): string {
  return new Date(now - SESSION_TTL_MS).toISOString();
}

/**
 * The statements that open a session for a user signing in: the user's expired sessions and those
 * beyond the newest MAX_SESSIONS - 1 are dropped first. They go in the sign-in's own batch.
 */
export function openSession(
  scope: Scope,
  userId: string,
  raw: Device,
): { id: string; statements: [Statement, Statement] } {
  const device = parseInput(DeviceSchema, raw);
  const { db } = scope;
  const id = newId();
  const now = nowIso();
  const newest = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(desc(sessions.id))
    .limit(MAX_SESSIONS - 1);
  const prune = db
    .delete(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        or(lt(sessions.createdAt, liveSince()), notInArray(sessions.id, newest)),
      ),
    );
  const open = db.insert(sessions).values({
    id,
    userId,
    createdAt: now,
    lastUsedAt: now,
    userAgent: device.userAgent,
  });
  return { id, statements: [prune, open] };
}

/** The session the caller's token names; a call without one cannot act on "the current session". */
function current(scope: Scope): string {
  const id = scope.ctx.sessionId;
  if (!id) throw new AppError("unauthorized", "Sign in first.");
  return id;
}

/**
 * The actor's standing (role, age, suspension) when the session is live and theirs, else null; a
 * live session older than a minute's use is touched. One query: the session with its account.
 */
export async function checkSession(scope: Scope, sessionId: string): Promise<Standing | null> {
  const { db } = scope;
  const userId = actor(scope);
  const [row] = await db
    .select({
      lastUsedAt: sessions.lastUsedAt,
      role: users.role,
      createdAt: users.createdAt,
      suspendedAt: users.suspendedAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.id, sessionId),
        eq(sessions.userId, userId),
        gt(sessions.createdAt, liveSince()),
      ),
    )
    .limit(1);
  if (!row) return null;
  if (Date.parse(row.lastUsedAt) < Date.now() - TOUCH_EVERY_MS)
    await db.update(sessions).set({ lastUsedAt: nowIso() }).where(eq(sessions.id, sessionId));
  return standingOf(row);
}

/** The actor's live sessions, newest first; at most MAX_SESSIONS exist, so one page holds them all. */
export async function listSessions(scope: Scope): Promise<SessionList> {
  const rows = await scope.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, actor(scope)), gt(sessions.createdAt, liveSince())))
    .orderBy(desc(sessions.id))
    .limit(MAX_SESSIONS);
  const items: Session[] = rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    userAgent: row.userAgent,
    current: row.id === scope.ctx.sessionId,
  }));
  return { items };
}

/** Ends one of the actor's sessions; another account's session is not found, as an unknown one is. */
export async function endSession(scope: Scope, sessionId: string): Promise<null> {
  const ended = await scope.db
    .delete(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, actor(scope))))
    .returning({ id: sessions.id });
  if (ended.length === 0) throw new AppError("not_found", "No such session.");
  return null;
}

/** The statement that ends every session of the actor but the current one. */
export function endOthers(scope: Scope): Statement {
  return scope.db
    .delete(sessions)
    .where(and(eq(sessions.userId, actor(scope)), ne(sessions.id, current(scope))));
}

/** Ends every session of the actor but the current one. */
export async function endOtherSessions(scope: Scope): Promise<null> {
  await scope.db.batch([endOthers(scope)]);
  return null;
}
