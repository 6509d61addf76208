import type {
  CommentRecord,
  NotificationRecord,
  Page,
  Post,
  PostRecord,
  ProfileSummary,
} from "@flock/contracts";
import type { Context } from "hono";
import type { AppEnv } from "./env";
import { callContext, read } from "./rpc";

/** Looks up every author a response needs in one batched call: never one call per item. */
export async function profilesById(
  c: Context<AppEnv>,
  ids: Iterable<string>,
): Promise<Map<string, ProfileSummary>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const profiles = await read(c, "users", () => c.env.USERS.getProfiles(callContext(c), unique));
  return new Map(profiles.map((profile) => [profile.id, profile]));
}

function toPost(record: PostRecord, authors: Map<string, ProfileSummary>): Post | null {
  const author = record.author ?? authors.get(record.authorId);
  // An author whose account was just deleted: their posts are on their way out.
  if (!author) return null;
  const { authorId: _, author: __, sharedPostId: ___, sharedPost, ...fields } = record;
  const original = sharedPost ? toPost(sharedPost, authors) : null;
  return { ...fields, author, ...(record.sharedPostId ? { sharedPost: original } : {}) } as Post;
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
  return records.flatMap((record) => toPost(record, authors) ?? []);
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

export async function composeComments(c: Context<AppEnv>, records: CommentRecord[]) {
  const authors = await profilesById(
    c,
    records.map((record) => record.authorId),
  );
  return records.flatMap((record) => {
    const author = authors.get(record.authorId);
    if (!author) return [];
    const { authorId: _, ...fields } = record;
    return [{ ...fields, author }];
  });
}

/**
 * Notifications with their actors. The actors are a nicety: when the users service cannot answer,
 * the list still comes back, with `actor: null` and `missing: ["users"]`.
 */
export async function composeNotifications(c: Context<AppEnv>, records: NotificationRecord[]) {
  let actors = new Map<string, ProfileSummary>();
  const missing: string[] = [];
  try {
    actors = await profilesById(
      c,
      records.map((record) => record.actorId),
    );
  } catch {
    missing.push("users");
  }
  const items = records.map(({ actorId, ...fields }) => ({
    ...fields,
    actor: actors.get(actorId) ?? null,
  }));
  return { items, missing };
}
