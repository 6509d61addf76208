import type { CommentRecord, PostRecord, ProfileCard, User } from "@flock/contracts";

export type RealWorldUser = {
  email: string;
  token: string;
  username: string;
  bio: string | null;
  image: string | null;
};

export type RealWorldProfile = {
  username: string;
  bio: string | null;
  image: string | null;
  following: boolean;
};

export type RealWorldArticle = {
  slug: string;
  title: string;
  description: string;
  body?: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: RealWorldProfile;
};

export type RealWorldComment = {
  id: number;
  createdAt: string;
  updatedAt: string;
  body: string;
  author: RealWorldProfile;
};

export function toUser(user: User, token: string): RealWorldUser {
  return {
    email: user.email,
    token,
    username: user.handle,
    bio: user.bio,
    image: user.avatarUrl,
  };
}

export function toProfile(profile: {
  handle: string;
  bio: string | null;
  avatarUrl: string | null;
  following: boolean;
}): RealWorldProfile {
  return {
    username: profile.handle,
    bio: profile.bio,
    image: profile.avatarUrl,
    following: profile.following,
  };
}

const DERIVED_TITLE_LENGTH = 60;

/**
 * An article's title. A post written through /v1 may have none: it then reads as the start of its
 * body, on one line, cut at a word boundary.
 */
export function titleOf(post: Pick<PostRecord, "title" | "body">): string {
  if (post.title !== null) return post.title;
  const line = post.body.replace(/\s+/g, " ").trim();
  if (line.length <= DERIVED_TITLE_LENGTH) return line;
  const cut = line.slice(0, DERIVED_TITLE_LENGTH);
  const space = cut.lastIndexOf(" ");
  return `${(space > DERIVED_TITLE_LENGTH / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

const SLUG_WORDS_LENGTH = 60;
const SLUG_ID = /(?:^|-)([0-9a-hjkmnp-tv-z]{26})$/i;

/**
 * A slug is the title's words followed by the post's id, lower-cased: unique without a lookup table,
 * and a link keeps working when the title changes, since only the id decides (as on Medium).
 */
export function slugOf(post: Pick<PostRecord, "id" | "title" | "body">): string {
  const letters = titleOf(post)
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-");
  // Cut by code points, so a letter outside the BMP is never split in half.
  const words = Array.from(letters)
    .slice(0, SLUG_WORDS_LENGTH)
    .join("")
    .replace(/^-+|-+$/g, "");
  const id = post.id.toLowerCase();
  return words ? `${words}-${id}` : id;
}

/** The post id a slug ends with, or null when it ends with none. */
export function idOfSlug(slug: string): string | null {
  return SLUG_ID.exec(slug)?.[1]?.toUpperCase() ?? null;
}

/** An article with its author as the reader sees them; lists leave the body out, as RealWorld's do. */
export function toArticle(
  post: PostRecord,
  author: ProfileCard,
  options: { body: boolean },
): RealWorldArticle {
  return {
    slug: slugOf(post),
    title: titleOf(post),
    description: post.description ?? "",
    ...(options.body ? { body: post.body } : {}),
    tagList: post.tags,
    createdAt: post.createdAt,
    updatedAt: post.updatedAt,
    favorited: post.viewer?.liked ?? false,
    favoritesCount: post.likeCount,
    author: toProfile(author),
  };
}

export function toComment(comment: CommentRecord, author: ProfileCard): RealWorldComment {
  return {
    id: comment.number,
    createdAt: comment.createdAt,
    updatedAt: comment.updatedAt,
    body: comment.body,
    author: toProfile(author),
  };
}
