import {
  type Comment,
  type CommentRecord,
  type NotificationRecord,
  type Page,
  type Post,
  type PostRecord,
  type ProfileCard,
  publicPost,
  summaryOf,
} from "@flock/contracts";
import type { Context } from "hono";
import type { AppEnv } from "./env";
import { callContext, read } from "./rpc";

/**
 * Looks up every profile a response needs, as the reader sees them, in one batched call: never one
 * call per item. Both APIs compose their authors through it.
 */
export async function profilesById(
  c: Context<AppEnv>,
  ids: Iterable<string>,
): Promise<Map<string, ProfileCard>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const profiles = await read(c, "users", () => c.env.USERS.getProfiles(callContext(c), unique));
  return new Map(profiles.map((profile) => [profile.id, profile]));
}

/**
 * Records with their authors as the reader sees them; a record whose author's account is being
 * deleted is left out (its records are on their way out too).
 */
export async function withAuthors<T extends { authorId: string }>(
  c: Context<AppEnv>,
  records: readonly T[],
): Promise<Array<{ record: T; author: ProfileCard }>> {
  const authors = await profilesById(
    c,
    records.map((record) => record.authorId),
  );
  return records.flatMap((record) => {
    const author = authors.get(record.authorId);
    return author ? [{ record, author }] : [];
  });
}

/**
 * Turns post records into public posts with their authors. The posts service sends the authors it
 * knows (its replica of their profiles); only the ones it does not know yet cost a call to users.
 */
export async function composePosts(c: Context<AppEnv>, records: PostRecord[]): Promise<Post[]> {
  const unknown = records.flatMap((record) => [
    ...(record.author ? [] : [record.authorId]),
    ...(record.sharedPost && !record.sharedPost.author ? [record.sharedPost.authorId] : []),
  ]);
  const authors = await profilesById(c, unknown);
  return records.flatMap((record) => publicPost(record, authors) ?? []);
}

export async function composePost(c: Context<AppEnv>, record: PostRecord): Promise<Post | null> {
  const [post] = await composePosts(c, [record]);
  return post ?? null;
}

export async function composePostPage(
  c: Context<AppEnv>,
  page: Page<PostRecord>,
): Promise<Page<Post>> {
  return { items: await composePosts(c, page.items), nextCursor: page.nextCursor };
}

/** Comments with their authors, as /v1 answers them. */
export async function composeComments(
  c: Context<AppEnv>,
  records: CommentRecord[],
): Promise<Comment[]> {
  return (await withAuthors(c, records)).map(({ record: { authorId: _, ...fields }, author }) => ({
    ...fields,
    author: summaryOf(author),
  }));
}

/**
 * Notifications with their actors. The actors are a nicety: when the users service cannot answer,
 * the list still comes back, with `actor: null` and `missing: ["users"]`.
 */
export async function composeNotifications(c: Context<AppEnv>, records: NotificationRecord[]) {
  let actors = new Map<string, ProfileCard>();
  const missing: string[] = [];
  try {
    actors = await profilesById(
      c,
      records.map((record) => record.actorId),
    );
  } catch {
    missing.push("users");
  }
  const items = records.map(({ actorId, ...fields }) => {
    const actor = actors.get(actorId);
    return { ...fields, actor: actor ? summaryOf(actor) : null };
  });
  return { items, missing };
}
