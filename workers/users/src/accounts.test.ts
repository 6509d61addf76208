import { env } from "cloudflare:workers";
import { hashPassword, verifyPassword } from "@flock/kit/auth";
import { describe, expect, it } from "vitest";
import {
  device,
  failureCode,
  heldAtCommit,
  newUser,
  outboxEvents,
  outboxTypes,
  PASSWORD,
  scopeOf,
  signUp,
} from "../test/helpers";
import { deleteMe, getMe, login, register, updateAccount, updateMe } from "./accounts";
import { follow } from "./follows";
import { getProfile } from "./profiles";

describe("accounts", () => {
  it("registers a user and records user.registered in the outbox", async () => {
    const { user } = await register(
      scopeOf(),
      {
        handle: "Alice_1",
        email: "Alice@Example.com",
        password: "correct horse battery",
      },
      device,
    );
    expect(user).toMatchObject({
      handle: "alice_1",
      email: "alice@example.com",
      displayName: "alice_1",
    });
    expect(user.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(await outboxTypes()).toContain("user.registered");
  });

  it("stores a PBKDF2 hash, never the password", async () => {
    const user = await newUser();
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(user.id)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(row?.password_hash).not.toContain("correct horse");
  });

  it("re-hashes a weaker stored hash at the current setting when its password signs in", async () => {
    const user = await newUser("rehash");
    const storedHash = () =>
      env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
        .bind(user.id)
        .first<{ password_hash: string }>()
        .then((row) => row?.password_hash ?? "");
    // An account from before a raise of the iterations: its hash records the 1,000 it was made with.
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?")
      .bind(await hashPassword("correct horse battery", 1_000), user.id)
      .run();
    expect(
      await failureCode(login(scopeOf(), { login: user.handle, password: "wrong" }, device)),
    ).toBe("unauthorized");
    expect(await storedHash()).toMatch(/^pbkdf2-sha256\$1000\$/);
    const signedIn = await login(
      scopeOf(),
      { login: user.handle, password: "correct horse battery" },
      device,
    );
    expect(signedIn.user.id).toBe(user.id);
    const upgraded = await storedHash();
    expect(upgraded).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(await verifyPassword("correct horse battery", upgraded)).toBe(true);
    // A current hash is left as it is.
    await login(scopeOf(), { login: user.handle, password: "correct horse battery" }, device);
    expect(await storedHash()).toBe(upgraded);
  });

  it("refuses a handle taken in another case, and a taken email", async () => {
    const user = await newUser("bob");
    expect(
      await failureCode(
        register(
          scopeOf(),
          {
            handle: user.handle.toUpperCase(),
            email: "x@example.com",
            password: "12345678",
          },
          device,
        ),
      ),
    ).toBe("conflict");
    expect(
      await failureCode(
        register(
          scopeOf(),
          {
            handle: "other_handle",
            email: user.email.toUpperCase(),
            password: "12345678",
          },
          device,
        ),
      ),
    ).toBe("conflict");
  });

  it("rejects invalid fields with one entry per field", async () => {
    try {
      await register(scopeOf(), { handle: "a!", email: "nope", password: "short" }, device);
      expect.unreachable();
    } catch (error) {
      const { code, errors } = error as { code: string; errors: Array<{ path: string }> };
      expect(code).toBe("validation");
      expect(errors.map((entry) => entry.path).sort()).toEqual(["email", "handle", "password"]);
    }
  });

  it("logs in by handle or email, in any case", async () => {
    const user = await newUser("carol");
    expect(
      (
        await login(
          scopeOf(),
          {
            login: user.handle.toUpperCase(),
            password: "correct horse battery",
          },
          device,
        )
      ).user.id,
    ).toBe(user.id);
    expect(
      (await login(scopeOf(), { login: user.email, password: "correct horse battery" }, device))
        .user.id,
    ).toBe(user.id);
  });

  it("answers a wrong password and an unknown login the same way", async () => {
    const user = await newUser("dave");
    const wrongPassword = login(
      scopeOf(),
      { login: user.handle, password: "not the password" },
      device,
    );
    const unknownUser = login(
      scopeOf(),
      {
        login: "nobody_at_all",
        password: "correct horse battery",
      },
      device,
    );
    const errors = await Promise.all([wrongPassword.catch((e) => e), unknownUser.catch((e) => e)]);
    expect(errors.map((e) => [e.code, e.detail])).toEqual([
      ["unauthorized", "Wrong login or password."],
      ["unauthorized", "Wrong login or password."],
    ]);
  });

  it("updates the account, including the password", async () => {
    const { user, sessionId } = await signUp("erin");
    const updated = await updateMe(scopeOf(user.id, sessionId), {
      displayName: "Erin",
      bio: "hi",
      password: "a new password",
      currentPassword: PASSWORD,
    });
    expect(updated).toMatchObject({ displayName: "Erin", bio: "hi" });
    expect(
      (await login(scopeOf(), { login: user.handle, password: "a new password" }, device)).user.id,
    ).toBe(user.id);
    expect(
      await failureCode(
        login(scopeOf(), { login: user.handle, password: "correct horse battery" }, device),
      ),
    ).toBe("unauthorized");
  });

  it("refuses an email that another account uses", async () => {
    const [a, b] = [await newUser("fay"), await newUser("gus")];
    expect(
      await failureCode(updateMe(scopeOf(a.id), { email: b.email, currentPassword: PASSWORD })),
    ).toBe("conflict");
  });

  it("never changes the handle through updateMe", async () => {
    const user = await newUser("lou");
    // As an RPC caller could send it: a variable, so the type allows the extra field.
    const sneaky = { displayName: "Lou", handle: "admin" };
    expect((await updateMe(scopeOf(user.id), sneaky)).handle).toBe(user.handle);
  });

  it("renames through updateAccount to a free handle, in any case, and refuses one another account has", async () => {
    const [a, b] = [await newUser("jan"), await newUser("kim")];
    const renamed = `${a.handle.slice(0, 24)}_new`;
    const updated = await updateAccount(scopeOf(a.id), { handle: renamed.toUpperCase() });
    expect(updated.handle).toBe(renamed);
    expect((await getProfile(scopeOf(), renamed)).id).toBe(a.id);
    expect(await failureCode(getProfile(scopeOf(), a.handle))).toBe("not_found");
    expect(
      (await login(scopeOf(), { login: renamed, password: "correct horse battery" }, device)).user
        .id,
    ).toBe(a.id);
    expect(await failureCode(updateAccount(scopeOf(a.id), { handle: b.handle }))).toBe("conflict");
    // Keeping your own handle is no conflict.
    expect((await updateAccount(scopeOf(b.id), { handle: b.handle, bio: "same" })).bio).toBe(
      "same",
    );
    const { results } = await env.DB.prepare(
      "SELECT payload FROM outbox WHERE type = 'user.updated' AND payload LIKE ?",
    )
      .bind(`%${a.id}%`)
      .all<{ payload: string }>();
    expect(results.map((row) => JSON.parse(row.payload).data.handle)).toEqual([renamed]);
  });

  it("deletes the account, its follows, and corrects the counts of others", async () => {
    const [leaving, staying] = [await newUser("hal"), await newUser("ida")];
    await follow(scopeOf(leaving.id), staying.handle);
    await follow(scopeOf(staying.id), leaving.handle);
    await deleteMe(scopeOf(leaving.id), { password: PASSWORD });
    expect(await failureCode(getMe(scopeOf(leaving.id)))).toBe("not_found");
    const profile = await getProfile(scopeOf(), staying.handle);
    expect([profile.followerCount, profile.followingCount]).toEqual([0, 0]);
    expect(await outboxTypes()).toContain("user.deleted");
  });

  it("sends a profile change as it committed, with its revision, though another overtook it", async () => {
    const ann = await newUser("ann");
    let release = () => {};
    const open = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The rename reads the account and builds its event, then waits while a new name commits.
    const held = heldAtCommit(scopeOf(ann.id), open);
    const renamed = `${ann.handle.slice(0, 24)}_new`;
    const renaming = updateAccount(held.scope, { handle: renamed });
    await held.reached;
    await updateAccount(scopeOf(ann.id), { displayName: "Ann Other" });
    release();
    await renaming;

    const events = await outboxEvents("user.updated", ann.id);
    const latest = events
      .flatMap((event) => (event.type === "user.updated" ? [event.data] : []))
      .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))
      .at(-1);
    // The rename's event was made first but committed last: it carries the name it did not
    // change as the row has it, not as it read it, and the newest revision.
    expect(latest).toMatchObject({ handle: renamed, displayName: "Ann Other", revision: 2 });
    expect(events.map((event) => event.id).sort()[0]).toBe(
      events.find((event) => event.type === "user.updated" && event.data.revision === 2)?.id,
    );
  });
});
