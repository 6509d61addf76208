import { describe, expect, it } from "vitest";
import { decodeBookmarks, encodeBookmarks, mergeBookmarks } from "./bookmarks";

const SECRET = "bookmark-test-secret-0123456789abcdef";
const OLD = "00000000-00000004-00000000-aaaa";
const NEW = "00000000-00000005-00000000-bbbb";

describe("Flock-Bookmark", () => {
  it("round-trips a map of bookmarks, and merges several tokens taking the newer of each", async () => {
    const a = await encodeBookmarks(SECRET, { posts: OLD, users: NEW });
    const b = await encodeBookmarks(SECRET, { posts: NEW, comments: OLD });
    expect(await decodeBookmarks(SECRET, a)).toEqual({ posts: OLD, users: NEW });
    expect(await decodeBookmarks(SECRET, `${a}, ${b}`)).toEqual({
      posts: NEW,
      users: NEW,
      comments: OLD,
    });
    expect(mergeBookmarks({ posts: NEW }, { posts: OLD })).toEqual({ posts: NEW });
  });

  it("reads anything not tagged with its key, or not a map of bookmarks, as none", async () => {
    const good = await encodeBookmarks(SECRET, { posts: NEW });
    const [payload = "", tag = ""] = good.split(".");
    const forged = btoa(JSON.stringify({ posts: "ffffffff-ffffffff-ffffffff-ffff" }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    const notBookmarks = await encodeBookmarks(SECRET, { posts: "drop table" } as never);
    for (const header of [
      undefined,
      "",
      "garbage",
      `${payload}.`,
      `${payload}.${tag}x`,
      `${forged}.${tag}`,
      await encodeBookmarks("another-secret-0123456789abcdef0123", { posts: NEW }),
      notBookmarks,
      `${good}.extra`,
      "x".repeat(5000),
    ])
      expect(await decodeBookmarks(SECRET, header)).toEqual({});
  });
});
