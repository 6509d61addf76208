import {
  type CreatePostInput,
  CreatePostInput as CreatePostInputSchema,
  extractMentions,
  type PostRecord,
  type ShareInput,
  ShareInput as ShareInputSchema,
  type UpdatePostInput,
  UpdatePostInput as UpdatePostInputSchema,
} from "@flock/contracts";
import {
  AppError,
  describeError,
  enqueue,
  enqueueIfChanged,
  isUniqueViolation,
  makeEvent,
  moderate,
  newId,
  nowIso,
  parseInput,
  runBatch,
  type Statement,
} from "@flock/kit";
import { and, eq } from "drizzle-orm";
import {
  idempotencyKeys,
  likeRevisions,
  likes,
  mergedPosts,
  outbox,
  posts,
  postTags,
  timelineEntries,
} from "./db/schema";
import { deliver, isCelebrity, merge, setCelebrity } from "./fanout";
import { holdForReview } from "./reports";
import { actor, type Scope } from "./scope";
import { hydrate, hydrationOf } from "./timelines";
import { notBlocked, shownTo } from "./visibility";

export type PostRow = typeof posts.$inferSelect;

/** The followers who get a new post in the same request, and the author's follower count. */
export type FirstFollowers = { ids: string[]; total: number };

/** How a new post is written: under the request's Idempotency-Key, to the first followers known. */
export type PublishOptions = { idempotencyKey?: string; firstFollowers: FirstFollowers | null };

/** A post the caller may see (visibility.ts): a held or hidden post is not found but by its author. */
export async function findPost(scope: Scope, postId: string): Promise<PostRow> {
  const [row] = await scope.db
    .select()
    .from(posts)
    .where(and(eq(posts.id, postId), shownTo(scope)))
    .limit(1);
  if (!row) throw new AppError("not_found", "No such post.");
  return row;
}

/**
 * A post as its reader may see it: held or hidden but to its author, or across a block (either way,
 * or with the author of the post it shares), it is as missing as a post that never was.
 */
export async function getPost(scope: Scope, postId: string): Promise<PostRecord> {
  const [row] = await scope.db
    .select()
    .from(posts)
    .where(and(eq(posts.id, postId), shownTo(scope), notBlocked(scope.ctx.actorId, posts)))
    .limit(1);
  if (!row) throw new AppError("not_found", "No such post.");
  const [record] = await hydrate(scope, [row]);
  if (!record) throw new AppError("not_found", "No such post.");
  return record;
}

/**
 * The post a retried request with this Idempotency-Key already created, if any. A key whose post has
 * been deleted since is spent: answering with a new post would not be a retry, so it is a 409.
 */
export async function findByIdempotencyKey(scope: Scope, key: string): Promise<PostRecord | null> {
  const [row] = await scope.db
    .select({ postId: idempotencyKeys.postId })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, actor(scope)), eq(idempotencyKeys.key, key)))
    .limit(1);
  if (!row) return null;
  try {
    return await getPost(scope, row.postId);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      throw new AppError(
        "conflict",
        "This Idempotency-Key was used for a post that has since been deleted; use a new key.",
      );
    }
    throw error;
  }
}

export async function createPost(
  scope: Scope,
  raw: CreatePostInput,
  options: PublishOptions,
): Promise<PostRecord> {
  const input = parseInput(CreatePostInputSchema, raw);
  return insertPost(
    scope,
    {
      body: input.body,
      title: input.title ?? null,
      description: input.description ?? null,
      tags: input.tags ?? [],
      shared: null,
      media: input.media ?? [],
    },
    options,
  );
}

/** Shares a post: a new post that embeds it. Sharing a share shares its original. */
export async function sharePost(
  scope: Scope,
  postId: string,
  raw: ShareInput,
  options: PublishOptions,
): Promise<PostRecord> {
  const input = parseInput(ShareInputSchema, raw);
  const target = await findPost(scope, postId);
  const original = target.sharedPostId ? await findPost(scope, target.sharedPostId) : target;
  return insertPost(
    scope,
    {
      body: input.body ?? "",
      title: null,
      description: null,
      tags: [],
      shared: original,
      media: [],
    },
    options,
  );
}

/**
 * Writes a post, its tags, the author's own timeline entry and the first followers' entries, the
 * idempotency key and the post.created event in one D1 batch: all of it or none of it.
 */
async function insertPost(
  scope: Scope,
  post: {
    body: string;
    title: string | null;
    description: string | null;
    tags: string[];
    shared: PostRow | null;
    media: Array<{ id: string; alt: string }>;
  },
  options: PublishOptions,
): Promise<PostRecord> {
  const { db } = scope;
  const authorId = actor(scope);
  const now = nowIso();
  const verdict = moderate(moderatedText(post));
  const id = newId();
  const row: PostRow = {
    id,
    authorId,
    body: post.body,
    title: post.title,
    description: post.description,
    tags: post.tags,
    media: await attachMedia(scope, id, post.media),
    sharedPostId: post.shared?.id ?? null,
    status: verdict.status,
    likeCount: 0,
    commentCount: 0,
    shareCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  const followers = options.firstFollowers;
  const celebrity =
    followers !== null &&
    (await isCelebrity(db, authorId, followers.total, scope.celebrityFollowers));
  const readers = [authorId, ...(celebrity || !followers ? [] : followers.ids)];
  const event = makeEvent("posts", scope.ctx, "post.created", {
    postId: row.id,
    authorId,
    sharedPostId: row.sharedPostId,
    sharedPostAuthorId: post.shared?.authorId ?? null,
    // A held post reaches no one yet, so it notifies no one it mentions (nor later, on release).
    mentions: verdict.status === "held" ? [] : extractMentions(post.body),
    // Every follower has it now (or it is merged at read time): no fan-out left for the inbox.
    fannedOut: followers !== null && (celebrity || followers.ids.length >= followers.total),
    hasMedia: row.media.length > 0,
  });
  const statements: Statement[] = [db.insert(posts).values(row)];
  if (verdict.status === "held") statements.push(holdForReview(db, row.id, verdict.reasons));
  if (row.tags.length > 0)
    statements.push(db.insert(postTags).values(row.tags.map((tag) => ({ tag, postId: row.id }))));
  statements.push(deliver(db, row, readers), enqueue(db, outbox, event));
  if (followers !== null) statements.push(setCelebrity(db, authorId, celebrity));
  if (celebrity) statements.push(merge(db, row));
  if (options.idempotencyKey) {
    statements.push(
      db
        .insert(idempotencyKeys)
        .values({ userId: authorId, key: options.idempotencyKey, postId: row.id, createdAt: now }),
    );
  }
  // The new post is read back (its author from the replica, a share's original) in the same batch.
  const hydration = hydrationOf(scope, [row]);
  type HydrationResults = Parameters<typeof hydration.records>[0];
  let results: unknown[];
  try {
    const batch: Statement[] = [...statements, ...hydration.statements];
    results = await db.batch(batch as [Statement, ...Statement[]]);
  } catch (error) {
    // Nothing of the post was written, so the images it attached are freed for a retry; should that
    // fail too, the media service frees them a day later (never confirmed by a post.created).
    if (row.media.length > 0) await releaseMedia(scope, row.id);
    // Two requests with one key raced: the loser rolled back whole; answer with the winner's post.
    if (options.idempotencyKey && isUniqueViolation(error, "idempotency_keys")) {
      const first = await findByIdempotencyKey(scope, options.idempotencyKey);
      if (first) return first;
    }
    throw error;
  }
  const readBack = results.slice(statements.length) as unknown as HydrationResults;
  const [record] = hydration.records(readBack);
  if (!record) throw new AppError("internal", "The new post could not be read back.");
  return record;
}

/** Frees a failed post's images, best effort: a failure here must not hide the write's own. */
async function releaseMedia(scope: Scope, postId: string): Promise<void> {
  try {
    await scope.media.release(postId);
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "warn",
        message: "could not free a failed post's images",
        requestId: scope.ctx.requestId,
        postId,
        error: describeError(error),
      }),
    );
  }
}

/**
 * The images of a new post, attached by the media service before the post is written (it checks they
 * are the author's own). Should the write fail after, they are freed again (releaseMedia), or, if
 * that fails too, released by the media service a day later, never confirmed by a post.created.
 */
async function attachMedia(
  scope: Scope,
  postId: string,
  items: Array<{ id: string; alt: string }>,
): Promise<PostRecord["media"]> {
  if (items.length === 0) return [];
  const claimed = new Map(
    (
      await scope.media.claim(
        postId,
        items.map((item) => item.id),
      )
    ).map((media) => [media.id, media]),
  );
  return items.flatMap(({ id, alt }) => {
    const media = claimed.get(id);
    return media ? [{ ...media, alt }] : [];
  });
}

export async function updatePost(
  scope: Scope,
  postId: string,
  raw: UpdatePostInput,
): Promise<PostRecord> {
  const input = parseInput(UpdatePostInputSchema, raw);
  const { db } = scope;
  const post = await findOwnPost(scope, postId);
  const changes: Partial<PostRow> = { updatedAt: nowIso() };
  if (input.body !== undefined) changes.body = input.body;
  if (input.title !== undefined) changes.title = input.title;
  if (input.description !== undefined) changes.description = input.description;
  if (input.tags !== undefined) changes.tags = input.tags;
  // An edit that breaks a rule holds a shown post again; one that no longer does releases nothing:
  // a held post waits for a moderator, or an edit could slip it past the queue.
  const verdict = moderate(moderatedText({ ...post, ...changes }));
  const hold = verdict.status === "held" && post.status === "visible";
  if (hold) changes.status = "held";
  const statements: Statement[] = [
    db.update(posts).set(changes).where(eq(posts.id, post.id)),
    enqueue(db, outbox, updated(scope, post)),
  ];
  if (hold) statements.push(holdForReview(db, post.id, verdict.reasons));
  if (input.tags !== undefined) {
    statements.push(db.delete(postTags).where(eq(postTags.postId, post.id)));
    if (input.tags.length > 0)
      statements.push(
        db.insert(postTags).values(input.tags.map((tag) => ({ tag, postId: post.id }))),
      );
  }
  await db.batch(statements as [Statement, ...Statement[]]);
  return getPost(scope, post.id);
}

/**
 * Deletes a post with its likes and tags at once; it leaves every feed at once too, since feeds read
 * through the posts table. The post.deleted event removes its timeline rows, comments and
 * notifications, and lowers the author's post count.
 */
export async function deletePost(scope: Scope, postId: string): Promise<null> {
  const post = await findOwnPost(scope, postId);
  await runBatch(scope.db, removal(scope, post));
  return null;
}

/**
 * The statements that delete a post as its author's delete does, for the author or a moderator
 * removing it: its likes, tags and the author's timeline row at once, the rest (its reports too)
 * by the post.deleted event.
 */
export function removal(scope: Scope, post: PostRow): Statement[] {
  const { db } = scope;
  const event = makeEvent("posts", scope.ctx, "post.deleted", {
    postId: post.id,
    authorId: post.authorId,
    sharedPostId: post.sharedPostId,
  });
  return [
    db.delete(likes).where(eq(likes.postId, post.id)),
    db.delete(likeRevisions).where(eq(likeRevisions.postId, post.id)),
    db.delete(postTags).where(eq(postTags.postId, post.id)),
    db
      .delete(timelineEntries)
      .where(and(eq(timelineEntries.userId, post.authorId), eq(timelineEntries.postId, post.id))),
    db.delete(mergedPosts).where(eq(mergedPosts.postId, post.id)),
    db.delete(posts).where(eq(posts.id, post.id)),
    // Only the delete that removed the row announces it: a second, racing delete emits nothing.
    enqueueIfChanged(db, outbox, event),
  ];
}

/** The event that says a post's text, tags or status changed, for the copies kept elsewhere (search). */
export function updated(scope: Scope, post: Pick<PostRow, "id" | "authorId">) {
  return makeEvent("posts", scope.ctx, "post.updated", {
    postId: post.id,
    authorId: post.authorId,
  });
}

/** What the moderation rules read of a post: its title, description and body together. */
function moderatedText(post: Pick<PostRow, "title" | "description" | "body">): string {
  return [post.title, post.description, post.body].filter((part) => part).join("\n");
}

export async function postAuthor(
  scope: Scope,
  postId: string,
): Promise<{ postId: string; authorId: string }> {
  const post = await findPost(scope, postId);
  return { postId: post.id, authorId: post.authorId };
}

async function findOwnPost(scope: Scope, postId: string): Promise<PostRow> {
  const me = actor(scope);
  const post = await findPost(scope, postId);
  if (post.authorId !== me)
    throw new AppError("forbidden", "Only the author can change or delete a post.");
  return post;
}
