// Password reset and email verification through the gateway, with every worker running and the
// links read from the mails actually handed to the send_email binding (the users worker runs its
// test entry, which notes each one). docs/SECURITY.md names these tests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestFlock, testFlockOptions } from "../../scripts/test-flock.ts";
import { client, eventually, PASSWORD, type Reply } from "./client";
import { type Flock, TEST_JWT_SECRET } from "./harness";
import { mailedToken, mailsTo } from "./mail";

let server: Flock;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  server = await startTestFlock({ "flock-gateway": { JWT_SECRET: TEST_JWT_SECRET } });
  api = client(server);
});
afterAll(async () => {
  await server?.close();
});

const NEW_PASSWORD = "a brand new passphrase";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const emailOf = (handle: string) => `${handle}@example.com`;

function expectProblem(reply: Reply, status: number) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toContain("application/problem+json");
}

async function signIn(login: string, password: string): Promise<Reply> {
  return api.post("/v1/auth/login", { login, password });
}

type UsersDb = {
  prepare(query: string): { bind(...values: string[]): { run(): Promise<unknown> } };
};

describe("password reset", () => {
  it("answers a known and an unknown address alike, and mails only the known one", async () => {
    const user = await api.signUp("forgetful");
    const unknown = "no-such-account@example.com";
    const known = await api.post("/v1/auth/password-reset", { email: emailOf(user.handle) });
    const other = await api.post("/v1/auth/password-reset", { email: unknown });
    expect(known.status).toBe(202);
    expect(other.status).toBe(202);
    expect(other.body).toEqual(known.body);
    expect(await mailedToken(server, emailOf(user.handle), "reset-password")).toMatch(
      /^[0-9a-f]{64}$/,
    );
    // Mail goes out after the answer: give an unknown address's (absent) mail the same time.
    await sleep(300);
    expect(mailsTo(server, unknown)).toEqual([]);
  });

  it("sets the password with the mailed link once, and ends every session at once", async () => {
    const user = await api.signUp("locked_out");
    const second = (await signIn(user.handle, PASSWORD)).body.token as string;
    expect((await api.get("/v1/me", user.token)).status).toBe(200);
    await api.post("/v1/auth/password-reset", { email: emailOf(user.handle) });
    const token = await mailedToken(server, emailOf(user.handle), "reset-password");

    const confirmed = await api.post("/v1/auth/password-reset/confirm", {
      token,
      password: NEW_PASSWORD,
    });
    expect(confirmed.status).toBe(204);
    // Both old tokens: refused at once, though this gateway had just trusted the first one.
    expectProblem(await api.get("/v1/me", user.token), 401);
    expectProblem(await api.get("/v1/me", second), 401);
    expectProblem(await signIn(user.handle, PASSWORD), 401);
    const fresh = await signIn(emailOf(user.handle), NEW_PASSWORD);
    expect(fresh.status).toBe(200);
    expect(fresh.body.user.id).toBe(user.id);

    // The link works once.
    const again = await api.post("/v1/auth/password-reset/confirm", {
      token,
      password: "someone else's choice",
    });
    expectProblem(again, 400);
    expect(again.body.errors).toEqual([{ path: "token", message: expect.any(String) }]);
    expect((await signIn(user.handle, NEW_PASSWORD)).status).toBe(200);
  });

  it("refuses an expired link, and an older link once a newer one is asked for", async () => {
    const user = await api.signUp("slow_reader");
    const email = emailOf(user.handle);
    await api.post("/v1/auth/password-reset", { email });
    const first = await mailedToken(server, email, "reset-password");
    const before = mailsTo(server, email).length;
    await api.post("/v1/auth/password-reset", { email });
    const second = await mailedToken(server, email, "reset-password", before);
    expectProblem(
      await api.post("/v1/auth/password-reset/confirm", { token: first, password: NEW_PASSWORD }),
      400,
    );
    // An hour passes: the link's row says it expired a second ago.
    const { DB } = (await server.getWorker("flock-users").getEnv()) as { DB: UsersDb };
    await DB.prepare("UPDATE email_tokens SET expires_at = ? WHERE user_id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), user.id)
      .run();
    expectProblem(
      await api.post("/v1/auth/password-reset/confirm", { token: second, password: NEW_PASSWORD }),
      400,
    );
    // Nothing changed: the old password still signs in.
    expect((await signIn(user.handle, PASSWORD)).status).toBe(200);
  });

  it("validates what it is given and never answers 500", async () => {
    expectProblem(await api.post("/v1/auth/password-reset", { email: "not an address" }), 422);
    expectProblem(await api.post("/v1/auth/password-reset", {}), 422);
    expectProblem(
      await api.post("/v1/auth/password-reset/confirm", { token: "abc", password: "short" }),
      422,
    );
    expectProblem(
      await api.post("/v1/auth/password-reset/confirm", {
        token: "f".repeat(64),
        password: NEW_PASSWORD,
      }),
      400,
    );
    const json = { "content-type": "application/json" };
    expectProblem(
      await api.request("POST", "/v1/auth/verify-email", { raw: "{", headers: json }),
      400,
    );
    // A body that does not say it is JSON is refused as such, not parsed.
    expectProblem(await api.request("POST", "/v1/auth/verify-email", { raw: "{" }), 415);
  });
});

describe("email verification", () => {
  it("mails a link on sign-up; opening it verifies the email, once", async () => {
    const user = await api.signUp("newcomer");
    const me = await api.get("/v1/me", user.token);
    expect(me.body.emailVerified).toBe(false);
    const token = await mailedToken(server, emailOf(user.handle), "verify-email");
    expect((await api.post("/v1/auth/verify-email", { token })).status).toBe(204);
    expect((await api.get("/v1/me", user.token)).body.emailVerified).toBe(true);
    expectProblem(await api.post("/v1/auth/verify-email", { token }), 400);
  });

  it("unverifies a changed email, and a link to the old address does not verify the new one", async () => {
    const user = await api.signUp("mover");
    const oldEmail = emailOf(user.handle);
    const stale = await mailedToken(server, oldEmail, "verify-email");
    const newEmail = `moved_${user.handle}@example.com`;
    const changed = await api.patch(
      "/v1/me",
      { email: newEmail, currentPassword: PASSWORD },
      user.token,
    );
    expect(changed.status).toBe(200);
    expect(changed.body.emailVerified).toBe(false);
    expectProblem(await api.post("/v1/auth/verify-email", { token: stale }), 400);
    expect((await api.get("/v1/me", user.token)).body.emailVerified).toBe(false);

    const token = await mailedToken(server, newEmail, "verify-email");
    expect((await api.post("/v1/auth/verify-email", { token })).status).toBe(204);
    expect((await api.get("/v1/me", user.token)).body).toMatchObject({
      email: newEmail,
      emailVerified: true,
    });
  });

  it("resends a link to a signed-in user, which replaces the first", async () => {
    const user = await api.signUp("resender");
    const email = emailOf(user.handle);
    const first = await mailedToken(server, email, "verify-email");
    expectProblem(await api.post("/v1/auth/verify-email/resend"), 401);
    const before = mailsTo(server, email).length;
    expect((await api.post("/v1/auth/verify-email/resend", undefined, user.token)).status).toBe(
      204,
    );
    const second = await mailedToken(server, email, "verify-email", before);
    expect(second).not.toBe(first);
    expectProblem(await api.post("/v1/auth/verify-email", { token: first }), 400);
    expect((await api.post("/v1/auth/verify-email", { token: second })).status).toBe(204);
  });
});

describe("when no mail can be sent", () => {
  beforeAll(async () => {
    await server.update(
      testFlockOptions({
        "flock-gateway": { JWT_SECRET: TEST_JWT_SECRET },
        "flock-users": { FAULTS: JSON.stringify({ seed: 11, mailFailure: 1 }) },
      }),
    );
    server.clearLogs();
  });

  it("still signs up and answers a reset as always, and logs each lost mail without its address", async () => {
    const user = await api.signUp("unmailed");
    const email = emailOf(user.handle);
    const reply = await api.post("/v1/auth/password-reset", { email });
    expect(reply.status).toBe(202);
    expect(reply.body.status).toBe("accepted");
    // The verification and the reset mail: each tried three times, then logged as lost.
    const lost = await eventually(async () => {
      const lines = server
        .getLogs()
        .map((log) => log.message)
        .filter((message) => message.includes("mail not sent"));
      expect(lines).toHaveLength(2);
      return lines;
    });
    for (const line of lost) expect(line).not.toContain(email);
    expect(mailsTo(server, email)).toEqual([]);
    expect((await api.get("/v1/me", user.token)).body.emailVerified).toBe(false);
  });
});
