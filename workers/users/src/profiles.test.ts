import { describe, expect, it } from "vitest";
import { newUser, scopeOf } from "../test/helpers";
import { updateMe } from "./accounts";
import { follow } from "./follows";
import { getProfiles, profilesForIndex } from "./profiles";

describe("profiles by id", () => {
  it("gives each known id its bio and whether the caller follows it, leaving unknown ids out", async () => {
    const [reader, followed, other] = [
      await newUser("rea"),
      await newUser("fol"),
      await newUser("oth"),
    ];
    await updateMe(scopeOf(followed.id), { bio: "hello" });
    await follow(scopeOf(reader.id), followed.handle);
    const ids = [followed.id, other.id, "01JD0000000000000000000000", followed.id];
    const cards = await getProfiles(scopeOf(reader.id), ids);
    const byId = new Map(cards.map((card) => [card.id, card]));
    expect(cards).toHaveLength(2);
    expect(byId.get(followed.id)).toEqual({
      id: followed.id,
      handle: followed.handle,
      displayName: followed.displayName,
      avatarUrl: null,
      bio: "hello",
      following: true,
    });
    expect(byId.get(other.id)).toMatchObject({ bio: null, following: false });
    const signedOut = await getProfiles(scopeOf(), [followed.id]);
    expect(signedOut.map((card) => card.following)).toEqual([false]);
    expect(await getProfiles(scopeOf(reader.id), [])).toEqual([]);
  });
});

describe("profiles for the search index", () => {
  it("pages through every account in id order, each once", async () => {
    const made = [await newUser("idx"), await newUser("idx"), await newUser("idx")];
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await profilesForIndex(scopeOf(null), { after, limit: 2 });
      seen.push(...page.items.map((profile) => profile.id));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(seen).toEqual([...new Set(seen)].sort());
    expect(seen).toEqual(expect.arrayContaining(made.map((user) => user.id)));
  });
});
