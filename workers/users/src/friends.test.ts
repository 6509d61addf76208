import { describe, expect, it } from "vitest";
import { failureCode, newUser, outboxTypes, scopeOf } from "../test/helpers";
import {
  acceptFriendRequest,
  cancelFriendRequest,
  declineFriendRequest,
  listFriendRequests,
  listFriends,
  sendFriendRequest,
  unfriend,
} from "./friends";
import { getProfile } from "./profiles";

const daysFromNow = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000);

describe("friend requests", () => {
  it("refuses the same request within 7 days of its decline, and takes it after", async () => {
    const [ann, ben, cat] = [await newUser("ann"), await newUser("ben"), await newUser("cat")];
    const first = await sendFriendRequest(scopeOf(ann.id), ben.handle);
    await declineFriendRequest(scopeOf(ben.id), first.id);
    expect(await failureCode(sendFriendRequest(scopeOf(ann.id), ben.handle))).toBe("conflict");
    expect(
      await failureCode(sendFriendRequest(scopeOf(ann.id), ben.handle, daysFromNow(6.9))),
    ).toBe("conflict");
    // Only that sender to that addressee: the other way round, and to someone else, are free.
    expect((await sendFriendRequest(scopeOf(ann.id), cat.handle)).status).toBe("pending");
    const back = await sendFriendRequest(scopeOf(ben.id), ann.handle);
    await cancelFriendRequest(scopeOf(ben.id), back.id);
    const later = await sendFriendRequest(scopeOf(ann.id), ben.handle, daysFromNow(7.01));
    expect(later).toMatchObject({ status: "pending", from: { id: ann.id }, to: { id: ben.id } });
  });

  it("makes friends when the addressee accepts, seen from both sides", async () => {
    const [ann, ben] = [await newUser("ann"), await newUser("ben")];
    const request = await sendFriendRequest(scopeOf(ann.id), ben.handle);
    expect(request).toMatchObject({ status: "pending", from: { id: ann.id }, to: { id: ben.id } });
    expect((await getProfile(scopeOf(ann.id), ben.handle)).viewer?.friendship).toBe("outgoing");
    expect((await getProfile(scopeOf(ben.id), ann.handle)).viewer?.friendship).toBe("incoming");
    expect(
      (await listFriendRequests(scopeOf(ben.id), "incoming", { limit: 20 })).items.map((r) => r.id),
    ).toEqual([request.id]);

    const accepted = await acceptFriendRequest(scopeOf(ben.id), request.id);
    expect(accepted.status).toBe("accepted");
    expect((await getProfile(scopeOf(ann.id), ben.handle)).viewer?.friendship).toBe("friends");
    expect(
      (await listFriends(scopeOf(), ann.handle, { limit: 20 })).items.map((f) => f.id),
    ).toEqual([ben.id]);
    expect(
      (await listFriends(scopeOf(), ben.handle, { limit: 20 })).items.map((f) => f.id),
    ).toEqual([ann.id]);
    expect(await outboxTypes()).toEqual(
      expect.arrayContaining(["friend.requested", "friend.accepted"]),
    );
  });

  it("lets only the addressee accept", async () => {
    const [ann, ben, cat] = [await newUser("ann"), await newUser("ben"), await newUser("cat")];
    const request = await sendFriendRequest(scopeOf(ann.id), ben.handle);
    expect(await failureCode(acceptFriendRequest(scopeOf(ann.id), request.id))).toBe("forbidden");
    expect(await failureCode(acceptFriendRequest(scopeOf(cat.id), request.id))).toBe("not_found");
    expect(await failureCode(cancelFriendRequest(scopeOf(ben.id), request.id))).toBe("forbidden");
  });

  it("declines and cancels, and a settled request cannot be answered again", async () => {
    const [ann, ben] = [await newUser("ann"), await newUser("ben")];
    const first = await sendFriendRequest(scopeOf(ann.id), ben.handle);
    expect((await declineFriendRequest(scopeOf(ben.id), first.id)).status).toBe("declined");
    expect(await failureCode(acceptFriendRequest(scopeOf(ben.id), first.id))).toBe("conflict");
    const second = await sendFriendRequest(scopeOf(ann.id), ben.handle, daysFromNow(8));
    await cancelFriendRequest(scopeOf(ann.id), second.id);
    expect((await getProfile(scopeOf(ann.id), ben.handle)).viewer?.friendship).toBe("none");
  });

  it("refuses a second pending request and a request to yourself", async () => {
    const [ann, ben] = [await newUser("ann"), await newUser("ben")];
    await sendFriendRequest(scopeOf(ann.id), ben.handle);
    expect(await failureCode(sendFriendRequest(scopeOf(ann.id), ben.handle))).toBe("conflict");
    expect(await failureCode(sendFriendRequest(scopeOf(ann.id), ann.handle))).toBe("validation");
  });

  it("accepts the other side's request when both ask", async () => {
    const [ann, ben] = [await newUser("ann"), await newUser("ben")];
    await sendFriendRequest(scopeOf(ann.id), ben.handle);
    const answer = await sendFriendRequest(scopeOf(ben.id), ann.handle);
    expect(answer.status).toBe("accepted");
    expect((await getProfile(scopeOf(ben.id), ann.handle)).viewer?.friendship).toBe("friends");
  });

  it("unfriends on both sides", async () => {
    const [ann, ben] = [await newUser("ann"), await newUser("ben")];
    const request = await sendFriendRequest(scopeOf(ann.id), ben.handle);
    await acceptFriendRequest(scopeOf(ben.id), request.id);
    const profile = await unfriend(scopeOf(ben.id), ann.handle);
    expect(profile.viewer?.friendship).toBe("none");
    expect((await listFriends(scopeOf(), ann.handle, { limit: 20 })).items).toEqual([]);
  });
});
