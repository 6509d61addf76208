import { describe, expect, it } from "vitest";
import { scopeOf, userId } from "../test/helpers";
import { createPost } from "./posts";
import { homeFeed } from "./timelines";

// A file of its own: no other test here makes a celebrity, so the celebrity set starts and stays empty.
describe("the home feed without celebrities", () => {
  it("reads a feed without asking about celebrities while there are none", async () => {
    const reader = userId();
    const post = await createPost(scopeOf(reader), { body: "mine" }, { firstFollowers: null });
    const unreachable = {
      followerIds: () => Promise.reject(new Error("not needed")),
      celebritiesFollowedBy: () => Promise.reject(new Error("the users service was asked")),
    };
    expect(
      (await homeFeed(scopeOf(reader), unreachable, { limit: 10 })).items.map((item) => item.id),
    ).toEqual([post.id]);
  });
});
