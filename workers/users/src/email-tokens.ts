import {
  type PasswordResetConfirm,
  PasswordResetConfirm as PasswordResetConfirmSchema,
  type PasswordResetRequest,
  PasswordResetRequest as PasswordResetRequestSchema,
  type VerifyEmailInput,
  VerifyEmailInput as VerifyEmailInputSchema,
} from "@flock/contracts";
import { AppError, newId, nowIso, parseInput, type Statement } from "@flock/kit";
import { hashPassword } from "@flock/kit/auth";
import { and, eq, exists, gt, inArray, sql } from "drizzle-orm";
import { emailTokens, sessions, users } from "./db/schema";
import type { Mail } from "./mail";
import { findById } from "./profiles";
import { actor, type Scope } from "./scope";

type Purpose = "reset" | "verify";

/** How long a mailed link works: an hour to reset a password (DESIGN.md), a day to verify an address. */
export const TOKEN_TTL_MS: Record<Purpose, number> = {
  reset: 60 * 60 * 1000,
  verify: 24 * 60 * 60 * 1000,
};

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The SHA-256 of a mailed token, which is all the database keeps. A token has 256 random bits, so a
 * fast hash suffices: there is nothing to guess, unlike a password.
 */
export async function hashToken(token: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
}

/** A fresh token for a mailed link, and its hash. */
async function mintToken(): Promise<{ token: string; tokenHash: string }> {
  const token = hex(crypto.getRandomValues(new Uint8Array(32)));
  return { token, tokenHash: await hashToken(token) };
}

function expiresAt(purpose: Purpose): string {
  return new Date(Date.now() + TOKEN_TTL_MS[purpose]).toISOString();
}

function invalidToken(): AppError {
  return new AppError(
    "bad_request",
    "This link does not work: it was used already, has expired, or a newer one replaced it.",
    [{ path: "token", message: "is used, expired or unknown" }],
  );
}

/** The live token of a purpose that a mailed link carries, or a bad request. */
async function liveToken(scope: Scope, purpose: Purpose, token: string) {
  const [row] = await scope.db
    .select({ id: emailTokens.id, userId: emailTokens.userId, email: emailTokens.email })
    .from(emailTokens)
    .where(
      and(
        eq(emailTokens.tokenHash, await hashToken(token)),
        eq(emailTokens.purpose, purpose),
        gt(emailTokens.expiresAt, nowIso()),
      ),
    )
    .limit(1);
  if (!row) throw invalidToken();
  return row;
}

/**
 * The statements that issue a verification token for an account's email, replacing its unused
 * ones (a link to an address it no longer has stops working), and the mail to send once they
 * commit.
 */
export async function verification(
  scope: Scope,
  account: { id: string; email: string },
): Promise<{ statements: [Statement, Statement]; mail: Mail }> {
  const { db } = scope;
  const { token, tokenHash } = await mintToken();
  const replace = db
    .delete(emailTokens)
    .where(and(eq(emailTokens.userId, account.id), eq(emailTokens.purpose, "verify")));
  const issue = db.insert(emailTokens).values({
    id: newId(),
    userId: account.id,
    purpose: "verify",
    tokenHash,
    email: account.email,
    createdAt: nowIso(),
    expiresAt: expiresAt("verify"),
  });
  const mail = {
    to: account.email,
    subject: "Confirm your email for flock",
    text: [
      `Confirm that ${account.email} is the address of your flock account by opening this link within a day:`,
      "",
      scope.mailer.link("verify-email", token),
      "",
      "If you did not sign up for flock or change your email there, ignore this mail.",
    ].join("\n"),
  };
  return { statements: [replace, issue], mail };
}

/**
 * Mails a reset link to the account with this email, replacing its unused one. The same two
 * statements run whether or not an account has the address (they find no row when none has), so
 * the answer and its timing tell nothing; only a known address gets a mail, after the answer.
 */
export async function requestPasswordReset(scope: Scope, raw: PasswordResetRequest): Promise<null> {
  const { email } = parseInput(PasswordResetRequestSchema, raw);
  const { db } = scope;
  const { token, tokenHash } = await mintToken();
  const owner = db.select({ id: users.id }).from(users).where(eq(users.email, email));
  const [, issued] = await db.batch([
    db
      .delete(emailTokens)
      .where(and(eq(emailTokens.purpose, "reset"), inArray(emailTokens.userId, owner))),
    db
      .insert(emailTokens)
      .select(
        db
          .select({
            id: sql<string>`${newId()}`.as("id"),
            userId: users.id,
            purpose: sql<Purpose>`'reset'`.as("purpose"),
            tokenHash: sql<string>`${tokenHash}`.as("token_hash"),
            email: users.email,
            createdAt: sql<string>`${nowIso()}`.as("created_at"),
            expiresAt: sql<string>`${expiresAt("reset")}`.as("expires_at"),
          })
          .from(users)
          .where(eq(users.email, email)),
      )
      .returning({ email: emailTokens.email }),
  ]);
  if (issued.length > 0)
    scope.mailer.send({
      to: email,
      subject: "Reset your flock password",
      text: [
        `Someone, hopefully you, asked to reset the password of the flock account registered with ${email}.`,
        "",
        "Choose a new password within the hour with this link (it works once):",
        "",
        scope.mailer.link("reset-password", token),
        "",
        "If you did not ask, ignore this mail: your password stays as it is.",
      ].join("\n"),
    });
  return null;
}

/**
 * Sets a new password with a mailed reset token and ends every session of the account: whoever
 * was signed in, a thief included, must sign in again with the new password. The token is used up
 * in the same batch, and the batch changes nothing if a racing confirm used it first.
 */
export async function confirmPasswordReset(
  scope: Scope,
  raw: PasswordResetConfirm,
): Promise<{ userId: string }> {
  const { token, password } = parseInput(PasswordResetConfirmSchema, raw);
  const { db } = scope;
  const row = await liveToken(scope, "reset", token);
  const passwordHash = await hashPassword(password);
  const unused = exists(
    db.select({ id: emailTokens.id }).from(emailTokens).where(eq(emailTokens.id, row.id)),
  );
  const [, , used] = await db.batch([
    db
      .update(users)
      .set({ passwordHash, updatedAt: nowIso() })
      .where(and(eq(users.id, row.userId), unused)),
    db.delete(sessions).where(and(eq(sessions.userId, row.userId), unused)),
    db.delete(emailTokens).where(eq(emailTokens.id, row.id)).returning({ id: emailTokens.id }),
  ]);
  if (used.length === 0) throw invalidToken();
  return { userId: row.userId };
}

/**
 * Marks an account's email verified with a mailed verification token, used up at once. The token
 * names the address it was mailed to: once the account has another, it verifies nothing.
 */
export async function verifyEmail(scope: Scope, raw: VerifyEmailInput): Promise<null> {
  const { token } = parseInput(VerifyEmailInputSchema, raw);
  const { db } = scope;
  const row = await liveToken(scope, "verify", token);
  const [verified, used] = await db.batch([
    db
      .update(users)
      .set({ emailVerifiedAt: nowIso() })
      .where(and(eq(users.id, row.userId), eq(users.email, row.email)))
      .returning({ id: users.id }),
    db.delete(emailTokens).where(eq(emailTokens.id, row.id)).returning({ id: emailTokens.id }),
  ]);
  if (verified.length === 0 || used.length === 0) throw invalidToken();
  return null;
}

/** Mails the actor a fresh verification link, unless their email is verified already. */
export async function resendVerification(scope: Scope): Promise<null> {
  const account = await findById(scope, actor(scope));
  if (account.emailVerifiedAt !== null) return null;
  const { statements, mail } = await verification(scope, account);
  await scope.db.batch(statements);
  scope.mailer.send(mail);
  return null;
}
