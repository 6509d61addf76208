import {
  type DeleteMeInput,
  DeleteMeInput as DeleteMeInputSchema,
  type Device,
  type LoginInput,
  LoginInput as LoginInputSchema,
  type RegisterInput,
  RegisterInput as RegisterInputSchema,
  type SignIn,
  type UpdateAccountInput,
  UpdateAccountInput as UpdateAccountInputSchema,
  type UpdateMeInput,
  UpdateMeInput as UpdateMeInputSchema,
  type User,
} from "@flock/contracts";
import {
  AppError,
  type Db,
  enqueue,
  enqueueIfChanged,
  isUniqueViolation,
  makeEvent,
  newId,
  nowIso,
  parseInput,
  type Statement,
} from "@flock/kit";
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  needsRehash,
  normalizeLogin,
  verifyPassword,
} from "@flock/kit/auth";
import { and, eq, or, sql } from "drizzle-orm";
import { outbox, users } from "./db/schema";
import { verification } from "./email-tokens";
import { findById, standingOf, toUser, type UserRow } from "./profiles";
import { actor, type Scope } from "./scope";
import { endOthers, openSession } from "./sessions";

/**
 * Creates an account and its first session. Handle and email are unique case-insensitively: a
 * taken one is a 409.
 */
export async function register(scope: Scope, raw: RegisterInput, device: Device): Promise<SignIn> {
  const input = parseInput(RegisterInputSchema, raw);
  const { db } = scope;
  await assertAvailable(scope, { handle: input.handle, email: input.email });
  const now = nowIso();
  const row = {
    id: newId(),
    handle: input.handle,
    email: input.email,
    displayName: input.displayName ?? input.handle,
    bio: null,
    avatarUrl: null,
    passwordHash: await hashPassword(input.password),
    emailVerifiedAt: null,
    followerCount: 0,
    followingCount: 0,
    postCount: 0,
    role: "member" as const,
    suspendedAt: null,
    createdAt: now,
    updatedAt: now,
    revision: 0,
  };
  const event = makeEvent("users", scope.ctx, "user.registered", {
    userId: row.id,
    handle: row.handle,
    displayName: row.displayName,
    avatarUrl: row.avatarUrl,
    revision: row.revision,
  });
  const session = openSession(scope, row.id, device);
  const verify = await verification(scope, row);
  await uniquely(() =>
    db.batch([
      db.insert(users).values(row),
      enqueue(db, outbox, event),
      ...session.statements,
      ...verify.statements,
    ]),
  );
  scope.mailer.send(verify.mail);
  return { user: toUser(row), sessionId: session.id, standing: standingOf(row) };
}

/**
 * Checks a handle-or-email and password and opens a session; a wrong handle and a wrong password
 * look the same.
 */
export async function login(scope: Scope, raw: LoginInput, device: Device): Promise<SignIn> {
  const input = parseInput(LoginInputSchema, raw);
  const login = normalizeLogin(input.login);
  const [row] = await scope.db
    .select()
    .from(users)
    .where(login.includes("@") ? eq(users.email, login) : eq(users.handle, login))
    .limit(1);
  // Hash even when there is no such user, so the answer takes as long either way.
  const valid = await verifyPassword(input.password, row?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!row || !valid) throw new AppError("unauthorized", "Wrong login or password.");
  await upgradeHash(scope, row, input.password);
  const session = openSession(scope, row.id, device);
  await scope.db.batch(session.statements);
  return { user: toUser(row), sessionId: session.id, standing: standingOf(row) };
}

/**
 * Re-hashes a password that has just proved right when its stored hash is weaker than the current
 * setting, so raising the iterations reaches every account that signs in. Only the hash it checked
 * is replaced: a password changed meanwhile stays as changed.
 */
async function upgradeHash(
  scope: Scope,
  row: { id: string; passwordHash: string },
  password: string,
): Promise<void> {
  if (!needsRehash(row.passwordHash)) return;
  await scope.db
    .update(users)
    .set({ passwordHash: await hashPassword(password) })
    .where(and(eq(users.id, row.id), eq(users.passwordHash, row.passwordHash)));
}

export async function getMe(scope: Scope): Promise<User> {
  return toUser(await findById(scope, actor(scope)));
}

/**
 * Changes the caller's account, but never its handle; a new email must be free, or it is a 409. A
 * new email or password needs the current password (403 without it or with a wrong one), so that a
 * stolen token alone cannot take the account over.
 */
export async function updateMe(scope: Scope, raw: UpdateMeInput): Promise<User> {
  // Parsing drops a `handle` a caller slips in: only updateAccount renames.
  const { currentPassword, ...changes } = parseInput(UpdateMeInputSchema, raw);
  const current = await findById(scope, actor(scope));
  const newEmail = changes.email !== undefined && changes.email !== current.email;
  if (newEmail || changes.password !== undefined)
    await confirmPassword(current, currentPassword, "currentPassword");
  return applyChanges(scope, current, changes);
}

/**
 * Changes the caller's account, the handle included; a new handle or email must be free, or it is a
 * 409. It asks no current password, for a client whose protocol has no field for one; a new
 * password still ends the other sessions.
 */
export async function updateAccount(scope: Scope, raw: UpdateAccountInput): Promise<User> {
  const input = parseInput(UpdateAccountInputSchema, raw);
  return applyChanges(scope, await findById(scope, actor(scope)), input);
}

/**
 * Writes checked changes to an account; a new password ends every session but the caller's, and a
 * new email is unverified until the link mailed to it is opened.
 */
async function applyChanges(
  scope: Scope,
  current: UserRow,
  input: UpdateAccountInput,
): Promise<User> {
  const { db } = scope;
  const handle =
    input.handle !== undefined && input.handle !== current.handle ? input.handle : null;
  const email = input.email !== undefined && input.email !== current.email ? input.email : null;
  if (handle || email)
    await assertAvailable(scope, { handle: handle ?? undefined, email: email ?? undefined });
  const changes: Partial<typeof users.$inferInsert> = { updatedAt: nowIso() };
  if (handle) changes.handle = handle;
  if (input.displayName !== undefined) changes.displayName = input.displayName;
  if (input.bio !== undefined) changes.bio = input.bio || null;
  if (input.avatarUrl !== undefined) changes.avatarUrl = input.avatarUrl;
  if (email) {
    changes.email = email;
    changes.emailVerifiedAt = null;
  }
  if (input.password !== undefined) changes.passwordHash = await hashPassword(input.password);
  const summary = {
    userId: current.id,
    handle: handle ?? current.handle,
    displayName: changes.displayName ?? current.displayName,
    avatarUrl: changes.avatarUrl !== undefined ? changes.avatarUrl : current.avatarUrl,
  };
  const event = makeEvent("users", scope.ctx, "user.updated", summary);
  // Other services keep only the summary (handle, name, avatar): a new bio or password tells them nothing.
  const summaryChanged =
    summary.handle !== current.handle ||
    summary.displayName !== current.displayName ||
    summary.avatarUrl !== current.avatarUrl;
  const update = db
    .update(users)
    .set({ ...changes, revision: sql`${users.revision} + 1` })
    .where(eq(users.id, current.id))
    .returning();
  const others: Statement[] = [];
  if (summaryChanged)
    others.push(enqueue(db, outbox, event), asCommitted(db, event.id, current.id));
  // Whoever knew the old password (or held a token while it was the password) is signed out.
  if (input.password !== undefined) others.push(endOthers(scope));
  const verify = email ? await verification(scope, { id: current.id, email }) : null;
  if (verify) others.push(...verify.statements);
  const [updated] = await uniquely(() => db.batch([update, ...others]));
  const row = updated[0];
  if (!row) throw new AppError("not_found", "That account no longer exists.");
  if (verify) scope.mailer.send(verify.mail);
  return toUser(row);
}

/**
 * Rewrites a queued user.updated with the profile as its own transaction leaves it, and the row's
 * revision: the summary built before the write may be stale where a concurrent change committed
 * between the read and the write, and consumers order by the revision (decision 0019).
 */
function asCommitted(db: Db, eventId: string, userId: string): Statement {
  return db
    .update(outbox)
    .set({
      payload: sql`(SELECT json_set(${outbox.payload}, '$.data.handle', ${users.handle}, '$.data.displayName', ${users.displayName}, '$.data.avatarUrl', ${users.avatarUrl}, '$.data.revision', ${users.revision}) FROM ${users} WHERE ${users.id} = ${userId})`,
    })
    .where(eq(outbox.id, eventId));
}

/**
 * Deletes the account, once its password is confirmed, with its sessions, follows and friendships
 * (foreign keys cascade, triggers fix the counts) and tells the other services, which remove the
 * user's posts, comments and notifications.
 */
export async function deleteMe(scope: Scope, raw: DeleteMeInput): Promise<null> {
  const { password } = parseInput(DeleteMeInputSchema, raw);
  const { db } = scope;
  const id = actor(scope);
  await confirmPassword(await findById(scope, id), password, "password");
  const event = makeEvent("users", scope.ctx, "user.deleted", { userId: id });
  const [deleted] = await db.batch([
    db.delete(users).where(eq(users.id, id)).returning({ id: users.id }),
    enqueueIfChanged(db, outbox, event),
  ]);
  if (deleted.length === 0) throw new AppError("not_found", "That account no longer exists.");
  return null;
}

/** Refuses (403) an action that needs the account's password when it is missing or wrong. */
async function confirmPassword(
  account: UserRow,
  password: string | undefined,
  field: string,
): Promise<void> {
  if (password === undefined)
    throw new AppError("forbidden", "Confirm this with your password.", [
      { path: field, message: "is required" },
    ]);
  if (!(await verifyPassword(password, account.passwordHash)))
    throw new AppError("forbidden", "That password is wrong.", [
      { path: field, message: "is wrong" },
    ]);
}

async function assertAvailable(
  scope: Scope,
  wanted: { handle?: string; email?: string },
): Promise<void> {
  const conditions = [];
  if (wanted.handle) conditions.push(eq(users.handle, wanted.handle));
  if (wanted.email) conditions.push(eq(users.email, wanted.email));
  const taken = await scope.db
    .select({ handle: users.handle, email: users.email })
    .from(users)
    .where(or(...conditions))
    .limit(2);
  const errors = [];
  if (wanted.handle && taken.some((row) => row.handle === wanted.handle)) {
    errors.push({ path: "handle", message: "is already taken" });
  }
  if (wanted.email && taken.some((row) => row.email === wanted.email)) {
    errors.push({ path: "email", message: "is already registered" });
  }
  if (errors.length > 0)
    throw new AppError("conflict", "That handle or email is already in use.", errors);
}

/** Two sign-ups racing for one handle: the unique index decides, and the loser gets a 409. */
async function uniquely<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("conflict", "That handle or email is already in use.");
    }
    throw error;
  }
}
