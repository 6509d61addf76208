import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  device,
  failureCode,
  mailTo,
  PASSWORD,
  scopeOf,
  signUp,
  tokenMailedTo,
} from "../test/helpers";
import { getMe, login, updateAccount, updateMe } from "./accounts";
import {
  confirmPasswordReset,
  hashToken,
  requestPasswordReset,
  resendVerification,
  verifyEmail,
} from "./email-tokens";
import { checkSession } from "./sessions";

const NEW_PASSWORD = "a brand new passphrase";

/** Moves every mailed token of an account past its expiry, as an hour or a day going by would. */
async function expireTokensOf(userId: string): Promise<void> {
  await env.DB.prepare("UPDATE email_tokens SET expires_at = ? WHERE user_id = ?")
    .bind(new Date(Date.now() - 1000).toISOString(), userId)
    .run();
}

async function tokenRows(userId: string) {
  const { results } = await env.DB.prepare(
    "SELECT purpose, token_hash, email, created_at, expires_at FROM email_tokens WHERE user_id = ?",
  )
    .bind(userId)
    .all<{
      purpose: string;
      token_hash: string;
      email: string;
      created_at: string;
      expires_at: string;
    }>();
  return results;
}

describe("password reset", () => {
  it("mails a link to the account's address and keeps only the token's SHA-256, for an hour", async () => {
    const { user } = await signUp("resetmail");
    await requestPasswordReset(scopeOf(), { email: user.email.toUpperCase() });
    const token = await tokenMailedTo(user.email, "reset-password");
    const [mail] = (await mailTo(user.email)).filter((sent) => sent.subject.includes("password"));
    expect(mail?.text).toContain("http://localhost:8787/reset-password#token=");
    const [row] = (await tokenRows(user.id)).filter((stored) => stored.purpose === "reset");
    expect(row?.token_hash).toBe(await hashToken(token));
    expect(row?.token_hash).not.toContain(token);
    const lifetime = Date.parse(row?.expires_at ?? "") - Date.parse(row?.created_at ?? "");
    expect(lifetime).toBe(60 * 60 * 1000);
  });

  it("answers an unknown address as it answers a known one, and mails nobody", async () => {
    const unknown = "nobody-here@example.com";
    expect(await requestPasswordReset(scopeOf(), { email: unknown })).toBeNull();
    expect(await mailTo(unknown)).toEqual([]);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM email_tokens WHERE email = ?")
      .bind(unknown)
      .first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });

  it("sets the new password, ends every session and uses the token up", async () => {
    const { user, sessionId } = await signUp("resetdone");
    const other = await login(scopeOf(), { login: user.handle, password: PASSWORD }, device);
    await requestPasswordReset(scopeOf(), { email: user.email });
    const token = await tokenMailedTo(user.email, "reset-password");

    expect(await confirmPasswordReset(scopeOf(), { token, password: NEW_PASSWORD })).toEqual({
      userId: user.id,
    });
    for (const session of [sessionId, other.sessionId])
      expect(await checkSession(scopeOf(user.id), session)).toBeNull();
    expect(
      await failureCode(login(scopeOf(), { login: user.handle, password: PASSWORD }, device)),
    ).toBe("unauthorized");
    const signedIn = await login(scopeOf(), { login: user.email, password: NEW_PASSWORD }, device);
    expect(signedIn.user.id).toBe(user.id);
    // Single use: the same link again changes nothing.
    expect(
      await failureCode(confirmPasswordReset(scopeOf(), { token, password: "yet another one" })),
    ).toBe("bad_request");
    expect(await checkSession(scopeOf(user.id), signedIn.sessionId)).toMatchObject({
      suspended: false,
    });
  });

  it("refuses an expired token and an unknown one", async () => {
    const { user } = await signUp("resetold");
    await requestPasswordReset(scopeOf(), { email: user.email });
    const token = await tokenMailedTo(user.email, "reset-password");
    await expireTokensOf(user.id);
    expect(
      await failureCode(confirmPasswordReset(scopeOf(), { token, password: NEW_PASSWORD })),
    ).toBe("bad_request");
    expect(
      await failureCode(
        confirmPasswordReset(scopeOf(), { token: "0".repeat(64), password: NEW_PASSWORD }),
      ),
    ).toBe("bad_request");
    expect(
      (await login(scopeOf(), { login: user.handle, password: PASSWORD }, device)).user.id,
    ).toBe(user.id);
  });

  it("replaces an unused reset link with the next one asked for", async () => {
    const { user } = await signUp("resettwice");
    await requestPasswordReset(scopeOf(), { email: user.email });
    const first = await tokenMailedTo(user.email, "reset-password");
    await requestPasswordReset(scopeOf(), { email: user.email });
    const second = await tokenMailedTo(user.email, "reset-password");
    expect(second).not.toBe(first);
    expect((await tokenRows(user.id)).filter((row) => row.purpose === "reset")).toHaveLength(1);
    expect(
      await failureCode(confirmPasswordReset(scopeOf(), { token: first, password: NEW_PASSWORD })),
    ).toBe("bad_request");
    await confirmPasswordReset(scopeOf(), { token: second, password: NEW_PASSWORD });
  });

  it("lets only one of two racing confirms of one link set its password", async () => {
    const { user } = await signUp("resetrace");
    await requestPasswordReset(scopeOf(), { email: user.email });
    const token = await tokenMailedTo(user.email, "reset-password");
    const outcomes = await Promise.allSettled([
      confirmPasswordReset(scopeOf(), { token, password: "first racer's pass" }),
      confirmPasswordReset(scopeOf(), { token, password: "second racer's pass" }),
    ]);
    const won = outcomes.findIndex((outcome) => outcome.status === "fulfilled");
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    const password = won === 0 ? "first racer's pass" : "second racer's pass";
    const loser = won === 0 ? "second racer's pass" : "first racer's pass";
    expect((await login(scopeOf(), { login: user.handle, password }, device)).user.id).toBe(
      user.id,
    );
    expect(
      await failureCode(login(scopeOf(), { login: user.handle, password: loser }, device)),
    ).toBe("unauthorized");
  });
});

describe("email verification", () => {
  it("mails a link on register; the account is unverified until it is opened, once", async () => {
    const { user } = await signUp("verifyme");
    expect(user.emailVerified).toBe(false);
    const token = await tokenMailedTo(user.email, "verify-email");
    const [row] = await tokenRows(user.id);
    expect(row?.token_hash).toBe(await hashToken(token));
    const lifetime = Date.parse(row?.expires_at ?? "") - Date.parse(row?.created_at ?? "");
    expect(lifetime).toBe(24 * 60 * 60 * 1000);

    await verifyEmail(scopeOf(), { token });
    expect((await getMe(scopeOf(user.id))).emailVerified).toBe(true);
    expect(await failureCode(verifyEmail(scopeOf(), { token }))).toBe("bad_request");
  });

  it("refuses an expired verification link", async () => {
    const { user } = await signUp("verifylate");
    const token = await tokenMailedTo(user.email, "verify-email");
    await expireTokensOf(user.id);
    expect(await failureCode(verifyEmail(scopeOf(), { token }))).toBe("bad_request");
    expect((await getMe(scopeOf(user.id))).emailVerified).toBe(false);
  });

  it("makes a changed email unverified until the link mailed to the new address is opened", async () => {
    const { user } = await signUp("verifymove");
    await verifyEmail(scopeOf(), { token: await tokenMailedTo(user.email, "verify-email") });
    expect((await getMe(scopeOf(user.id))).emailVerified).toBe(true);

    const moved = `moved_${user.handle}@example.com`;
    const changed = await updateMe(scopeOf(user.id), { email: moved, currentPassword: PASSWORD });
    expect(changed.emailVerified).toBe(false);
    expect((await getMe(scopeOf(user.id))).emailVerified).toBe(false);

    await verifyEmail(scopeOf(), { token: await tokenMailedTo(moved, "verify-email") });
    expect((await getMe(scopeOf(user.id))).emailVerified).toBe(true);
  });

  it("keeps a link to an address the account has left from verifying it, even while unused", async () => {
    const { user } = await signUp("verifyleft");
    const stale = await tokenMailedTo(user.email, "verify-email");
    // updateAccount, which asks no current password, changes the email too, and resets the flag.
    await updateAccount(scopeOf(user.id), { email: `left_${user.handle}@example.com` });
    expect(await failureCode(verifyEmail(scopeOf(), { token: stale }))).toBe("bad_request");
    expect((await getMe(scopeOf(user.id))).emailVerified).toBe(false);
  });

  it("resends a fresh link that replaces the unused one, and none once verified", async () => {
    const { user } = await signUp("verifyagain");
    const first = await tokenMailedTo(user.email, "verify-email");
    await resendVerification(scopeOf(user.id));
    const second = await tokenMailedTo(user.email, "verify-email");
    expect(second).not.toBe(first);
    expect(await failureCode(verifyEmail(scopeOf(), { token: first }))).toBe("bad_request");
    await verifyEmail(scopeOf(), { token: second });
    const mailed = (await mailTo(user.email)).length;
    await resendVerification(scopeOf(user.id));
    expect(await mailTo(user.email)).toHaveLength(mailed);
  });
});
