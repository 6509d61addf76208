import type { CommentRecord, PostRecord, ProfileCard, User } from "@flock/contracts";
import { describe, expect, it } from "vitest";
import { idOfSlug, slugOf, titleOf, toArticle, toComment, toProfile, toUser } from "./mapping";

const author: ProfileCard = {
  id: "01JD0000000000000000000001",
  handle: "ada",
  displayName: "Ada L.",
  avatarUrl: "https://example.com/ada.png",
  bio: "Counts things.",
  following: true,
};

const post: PostRecord = {
  id: "01M80BJQA78DVTEC0B5A7R2B62",
  authorId: author.id,
  author: null,
  body: "The whole text.",
  title: "How to Train Your Dragon",
  description: "In short",
  status: "visible",
  tags: ["dragons", "training"],
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-02T00:00:00.000Z",
  likeCount: 3,
  commentCount: 1,
  shareCount: 0,
  sharedPostId: null,
  media: [],
  sharedPost: null,
  viewer: { liked: true, shared: false },
};

describe("posts as RealWorld articles", () => {
  it("maps a post and its author to an article: likes are favorites, tags a tagList", () => {
    expect(toArticle(post, author, { body: true })).toEqual({
      slug: "how-to-train-your-dragon-01m80bjqa78dvtec0b5a7r2b62",
      title: "How to Train Your Dragon",
      description: "In short",
      body: "The whole text.",
      tagList: ["dragons", "training"],
      createdAt: post.createdAt,
      updatedAt: post.updatedAt,
      favorited: true,
      favoritesCount: 3,
      author: {
        username: "ada",
        bio: "Counts things.",
        image: "https://example.com/ada.png",
        following: true,
      },
    });
  });

  it("leaves the body out of lists, and reads a signed-out viewer as not favoriting", () => {
    const { viewer: _, ...signedOut } = post;
    const listed = toArticle(signedOut, author, { body: false });
    expect(listed).not.toHaveProperty("body");
    expect(listed.favorited).toBe(false);
  });

  it("gives a post without title or description the start of its body and an empty description", () => {
    const untitled = { ...post, title: null, description: null, body: "word ".repeat(40) };
    const article = toArticle(untitled, author, { body: true });
    expect(article.description).toBe("");
    expect(article.title.endsWith("…")).toBe(true);
    expect(article.title.length).toBeLessThanOrEqual(61);
    expect(titleOf({ title: null, body: "  short\n text " })).toBe("short text");
  });

  it("reads the post id back from a slug, whatever its words, and nothing from a slug without one", () => {
    expect(idOfSlug(slugOf(post))).toBe(post.id);
    expect(idOfSlug(`an-old-title-${post.id.toLowerCase()}`)).toBe(post.id);
    expect(slugOf({ ...post, title: "Crème brûlée ✨" })).toBe(
      `creme-brulee-${post.id.toLowerCase()}`,
    );
    expect(slugOf({ ...post, title: "✨" })).toBe(post.id.toLowerCase());
    expect(idOfSlug("no-id-here")).toBeNull();
  });
});

describe("accounts, profiles and comments in RealWorld's shapes", () => {
  it("maps an account with its token to a RealWorld user", () => {
    const user: User = {
      id: author.id,
      handle: "ada",
      email: "ada@example.com",
      emailVerified: false,
      displayName: "Ada L.",
      bio: null,
      avatarUrl: null,
      role: "member",
      createdAt: post.createdAt,
      updatedAt: post.updatedAt,
    };
    expect(toUser(user, "jwt")).toEqual({
      email: "ada@example.com",
      token: "jwt",
      username: "ada",
      bio: null,
      image: null,
    });
  });

  it("maps a profile: the handle is the username, the avatar the image", () => {
    expect(toProfile({ ...author, following: false })).toEqual({
      username: "ada",
      bio: "Counts things.",
      image: "https://example.com/ada.png",
      following: false,
    });
  });

  it("maps a comment: its sequence number is RealWorld's integer id", () => {
    const comment: CommentRecord = {
      id: "01M80BJQA78DVTEC0B5A7R2B63",
      number: 42,
      postId: post.id,
      parentId: null,
      authorId: author.id,
      body: "Nice.",
      status: "visible",
      createdAt: post.createdAt,
      updatedAt: post.updatedAt,
    };
    expect(toComment(comment, author)).toEqual({
      id: 42,
      createdAt: post.createdAt,
      updatedAt: post.updatedAt,
      body: "Nice.",
      author: toProfile(author),
    });
  });
});
