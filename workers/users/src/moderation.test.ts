import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { failureCode, outboxTypes, scopeOf, signUp } from "../test/helpers";
import { updateMe } from "./accounts";
import { follow } from "./follows";
import { sendFriendRequest } from "./friends";
import {
  getModeratedAccount,
  listModerationAudit,
  suspendAccount,
  unsuspendAccount,
} from "./moderation";
import { checkSession } from "./sessions";

/** A fresh account made a moderator, as `npm run moderator -- grant` does. */
async function newModerator() {
  const signIn = await signUp("mod");
  await env.DB.prepare("UPDATE users SET role = 'moderator' WHERE id = ?")
    .bind(signIn.user.id)
    .run();
  return signIn.user;
}

describe("moderation of accounts", () => {
  it("refuses every moderation call from a member, whatever role the call claims", async () => {
    const member = (await signUp("member")).user;
    const target = (await signUp("target")).user;
    const claimed = {
      ...scopeOf(member.id),
      ctx: {
        requestId: "test",
        actorId: member.id,
        standing: { role: "moderator" as const, createdAt: member.createdAt, suspended: false },
      },
    };
    expect(await failureCode(suspendAccount(claimed, target.handle, {}))).toBe("forbidden");
    expect(await failureCode(getModeratedAccount(claimed, target.handle))).toBe("forbidden");
    expect(await failureCode(listModerationAudit(claimed, { limit: 20 }))).toBe("forbidden");
  });

  it("suspends once: one event and one audit entry however often it is asked", async () => {
    const mod = await newModerator();
    const target = (await signUp("target")).user;
    const before = (await outboxTypes()).filter((type) => type === "user.suspended").length;
    const first = await suspendAccount(scopeOf(mod.id), target.handle, { reason: "spam" });
    const again = await suspendAccount(scopeOf(mod.id), target.handle, {});
    expect(first.suspended).toBe(true);
    expect(again.suspendedAt).toBe(first.suspendedAt);
    const after = (await outboxTypes()).filter((type) => type === "user.suspended").length;
    expect(after - before).toBe(1);
    const log = await listModerationAudit(scopeOf(mod.id), { limit: 100 });
    const entries = log.items.filter((entry) => entry.targetId === target.id);
    expect(entries.map((entry) => [entry.action, entry.moderatorId, entry.reason])).toEqual([
      ["suspend", mod.id, "spam"],
    ]);
  });

  it("says a session's account is suspended, and refuses its follows, requests and profile changes", async () => {
    const mod = await newModerator();
    const { user: target, sessionId } = await signUp("target");
    const other = (await signUp("other")).user;
    await suspendAccount(scopeOf(mod.id), target.handle, {});
    expect(await checkSession(scopeOf(target.id), sessionId)).toMatchObject({ suspended: true });
    // The triggers refuse each write where it lands; the RPC layer maps the refusal to a 403.
    const refused = /flock_refused:account_suspended/;
    expect(await failureCode(follow(scopeOf(target.id), other.handle))).toMatch(refused);
    expect(await failureCode(sendFriendRequest(scopeOf(target.id), other.handle))).toMatch(refused);
    expect(await failureCode(updateMe(scopeOf(target.id), { displayName: "new" }))).toMatch(
      refused,
    );
    await unsuspendAccount(scopeOf(mod.id), target.handle, { reason: "appeal" });
    expect(await checkSession(scopeOf(target.id), sessionId)).toMatchObject({ suspended: false });
    expect((await follow(scopeOf(target.id), other.handle)).handle).toBe(other.handle);
  });

  it("will not suspend a moderator", async () => {
    const mod = await newModerator();
    const other = await newModerator();
    expect(await failureCode(suspendAccount(scopeOf(mod.id), other.handle, {}))).toBe("forbidden");
  });
});
