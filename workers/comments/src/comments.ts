import {
  type CommentRecord,
  type CreateCommentInput,
  CreateCommentInput as CreateCommentInputSchema,
  extractMentions,
  ListQuery,
  type Page,
  type UpdateCommentInput,
  UpdateCommentInput as UpdateCommentInputSchema,
} from "@flock/contracts";
import {
  AppError,
  blockedBetween,
  decodeCursor,
  enqueue,
  enqueueIfChanged,
  makeEvent,
  moderate,
  newId,
  nowIso,
  parseInput,
  type Statement,
  toPage,
} from "@flock/kit";
import { and, asc, eq, gt, gte, ne, not, or, sql } from "drizzle-orm";
import { encodeTime } from "ulidx";
import { comments, outbox, reports, sequences } from "./db/schema";
import { actor, type Scope } from "./scope";

/** A post as the comments service needs it: looked up in the posts service by the caller. */
export type PostRef = { postId: string; authorId: string };

export type CommentRow = typeof comments.$inferSelect;

/** The sequence comment numbers are drawn from. */
const COMMENT_NUMBER = "comment_number";

/** How long an identical comment by the same author on the same post counts as a repeat. */
export const REPEAT_WINDOW_MS = 10 * 60 * 1000;

export function toRecord(row: CommentRow): CommentRecord {
  return {
    id: row.id,
    number: row.number,
    postId: row.postId,
    parentId: row.parentId,
    authorId: row.authorId,
    body: row.body,
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Comments a viewer may see: visible ones for everyone; held and hidden ones only for their author
 * and the post's author. Everyone else is never told they exist.
 */
function visibleTo(viewerId: string | null) {
  const visible = eq(comments.status, "visible");
  if (!viewerId) return visible;
  return or(visible, eq(comments.authorId, viewerId), eq(comments.postAuthorId, viewerId));
}

function canSee(row: CommentRow, viewerId: string | null): boolean {
  return row.status === "visible" || row.authorId === viewerId || row.postAuthorId === viewerId;
}

/** Loads a comment the actor may see; one they may not see is as missing as one that never was. */
export async function findComment(scope: Scope, commentId: string): Promise<CommentRow> {
  const [row] = await scope.db.select().from(comments).where(eq(comments.id, commentId)).limit(1);
  if (!row || !canSee(row, scope.ctx.actorId))
    throw new AppError("not_found", "That comment does not exist.");
  return row;
}

/** Loads a comment by its number, under the same rules as `findComment`. */
export async function findCommentByNumber(scope: Scope, number: number): Promise<CommentRow> {
  const [row] = await scope.db.select().from(comments).where(eq(comments.number, number)).limit(1);
  if (!row || !canSee(row, scope.ctx.actorId))
    throw new AppError("not_found", "That comment does not exist.");
  return row;
}

/**
 * Comments on a post, or replies in a thread under it. The body is moderated: a comment that breaks
 * a rule is `held`, seen only by its author and the post's author until the latter approves it.
 */
export async function createComment(
  scope: Scope,
  post: PostRef,
  raw: CreateCommentInput,
): Promise<CommentRecord> {
  const authorId = actor(scope);
  const input = parseInput(CreateCommentInputSchema, raw);
  const { db } = scope;
  // Ids are ULIDs, so "since ten minutes ago" is an id range on the author index.
  const windowStart = `${encodeTime(Date.now() - REPEAT_WINDOW_MS, 10)}${"0".repeat(16)}`;
  const [parents, repeats] = await db.batch([
    db
      .select()
      .from(comments)
      // Without a parent, a query that matches nothing keeps both lookups in one round trip.
      .where(input.parentId ? eq(comments.id, input.parentId) : sql`0`)
      .limit(1),
    db
      .select({ id: comments.id })
      .from(comments)
      .where(
        and(
          eq(comments.authorId, authorId),
          gte(comments.id, windowStart),
          eq(comments.postId, post.postId),
          eq(comments.body, input.body),
        ),
      )
      .limit(1),
  ]);
  const parent = parents[0];
  if (
    input.parentId &&
    (!parent || parent.postId !== post.postId || !canSee(parent, scope.ctx.actorId))
  ) {
    throw new AppError("validation", "You can only reply to a comment on the same post.", [
      { path: "parentId", message: "is not a comment of this post" },
    ]);
  }
  const verdict = moderate(input.body, { repeatsRecent: repeats.length > 0 });
  const now = nowIso();
  const row: Omit<CommentRow, "number"> = {
    id: newId(),
    postId: post.postId,
    parentId: parent?.id ?? null,
    authorId,
    postAuthorId: post.authorId,
    body: input.body,
    status: verdict.status,
    createdAt: now,
    updatedAt: now,
  };
  const event = makeEvent("comments", scope.ctx, "comment.created", {
    commentId: row.id,
    postId: row.postId,
    postAuthorId: row.postAuthorId,
    authorId,
    parentId: row.parentId,
    parentAuthorId: parent?.authorId ?? null,
    status: row.status,
    mentions: extractMentions(row.body),
  });
  // The comment's number is drawn in the same transaction that writes it: numbers are never shared.
  const [, inserted] = await db.batch([
    db
      .update(sequences)
      .set({ value: sql`${sequences.value} + 1` })
      .where(eq(sequences.name, COMMENT_NUMBER)),
    db
      .insert(comments)
      .values({
        ...row,
        number: sql`(SELECT ${sequences.value} FROM ${sequences} WHERE ${sequences.name} = ${COMMENT_NUMBER})`,
      })
      .returning(),
    enqueue(db, outbox, event),
  ]);
  const created = inserted[0];
  if (!created) throw new AppError("internal", "The new comment could not be read back.");
  if (verdict.status === "held") {
    console.log(
      JSON.stringify({
        level: "info",
        message: "comment held",
        requestId: scope.ctx.requestId,
        commentId: row.id,
        reasons: verdict.reasons,
      }),
    );
  }
  return toRecord(created);
}

/**
 * A post's comments, oldest first; replies carry `parentId` so a client can build the threads. A
 * signed-in reader does not see comments by accounts across a block from them, either way.
 */
export async function listComments(
  scope: Scope,
  postId: string,
  raw: ListQuery,
): Promise<Page<CommentRecord>> {
  const query = parseInput(ListQuery, raw);
  const after = decodeCursor(query.cursor);
  const rows = await scope.db
    .select()
    .from(comments)
    .where(
      and(
        eq(comments.postId, postId),
        after ? gt(comments.id, after) : undefined,
        visibleTo(scope.ctx.actorId),
        scope.ctx.actorId
          ? not(blockedBetween(scope.ctx.actorId, [sql`${comments.authorId}`]))
          : undefined,
      ),
    )
    .orderBy(asc(comments.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.id, toRecord);
}

/**
 * Changes a comment's body; only its author may. The new body is moderated again, so an edit can
 * hold a comment or release a held one; a comment hidden by reports stays hidden whatever it says.
 */
export async function updateComment(
  scope: Scope,
  commentId: string,
  raw: UpdateCommentInput,
): Promise<CommentRecord> {
  const me = actor(scope);
  const input = parseInput(UpdateCommentInputSchema, raw);
  const { db } = scope;
  return onCurrent(scope, commentId, async (current) => {
    if (current.authorId !== me)
      throw new AppError("forbidden", "Only its author can edit a comment.");
    const status = current.status === "hidden" ? "hidden" : moderate(input.body).status;
    const [updated] = await db.batch([
      db
        .update(comments)
        .set({ body: input.body, status, updatedAt: nowIso() })
        .where(and(eq(comments.id, current.id), eq(comments.status, current.status)))
        .returning(),
      ...visibilityChange(scope, current, status),
    ]);
    return updated[0] ? toRecord(updated[0]) : stale;
  });
}

/**
 * Deletes a comment; its author or the post's author may. Its reports go with it; its replies stay,
 * their `parentId` pointing at a comment that no longer exists.
 */
export async function deleteComment(scope: Scope, commentId: string): Promise<null> {
  const { db } = scope;
  const me = actor(scope);
  return onCurrent(scope, commentId, async (current) => {
    if (current.authorId !== me && current.postAuthorId !== me)
      throw new AppError("forbidden", "Only its author or the post's author can delete a comment.");
    const [deleted] = await db.batch(deletion(scope, current));
    return deleted.length > 0 ? null : stale;
  });
}

/**
 * The statements that delete a comment while its status is still the one read (the first returns
 * what it deleted), and announce it once; for its author, the post's author or a moderator.
 */
export function deletion(scope: Scope, current: CommentRow) {
  const { db } = scope;
  const event = makeEvent("comments", scope.ctx, "comment.deleted", {
    commentId: current.id,
    postId: current.postId,
    authorId: current.authorId,
    wasVisible: current.status === "visible",
  });
  return [
    db
      .delete(comments)
      .where(and(eq(comments.id, current.id), eq(comments.status, current.status)))
      .returning({ id: comments.id }),
    enqueueIfChanged(db, outbox, event),
  ] as const;
}

/**
 * The post's author releases a held or hidden comment. Reports made so far are dismissed: it takes
 * three new reporters to hide it again. Approving a visible comment changes nothing.
 */
export async function approveComment(scope: Scope, commentId: string): Promise<CommentRecord> {
  const { db } = scope;
  const me = actor(scope);
  const current = await findComment(scope, commentId);
  if (current.postAuthorId !== me)
    throw new AppError("forbidden", "Only the post's author can approve a comment.");
  if (current.status === "visible") return toRecord(current);
  const event = makeEvent("comments", scope.ctx, "comment.visibility_changed", {
    commentId: current.id,
    postId: current.postId,
    visible: true,
  });
  const [updated] = await db.batch([
    // updatedAt is left alone: it tells readers when the text last changed, not the status.
    db
      .update(comments)
      .set({ status: "visible" })
      .where(and(eq(comments.id, current.id), ne(comments.status, "visible")))
      .returning(),
    enqueueIfChanged(db, outbox, event),
    db.update(reports).set({ dismissed: true }).where(eq(reports.commentId, current.id)),
  ]);
  // Nothing changed when a concurrent approval got there first: answer with what is there now.
  return toRecord(updated[0] ?? (await findComment(scope, commentId)));
}

/**
 * The event a change of status owes when it moves a comment into or out of public view; none
 * otherwise. It goes right after the statement that changes the status.
 */
export function visibilityChange(
  scope: Scope,
  current: CommentRow,
  status: CommentRow["status"],
): Statement[] {
  const visible = status === "visible";
  if (visible === (current.status === "visible")) return [];
  const event = makeEvent("comments", scope.ctx, "comment.visibility_changed", {
    commentId: current.id,
    postId: current.postId,
    visible,
  });
  return [enqueueIfChanged(scope.db, outbox, event)];
}

export const stale = Symbol("stale");

/**
 * Reads a comment, decides, and writes only while its status is still the one read, so the event
 * describes the change that really happened. A concurrent change (a report hiding it, an approval)
 * makes the write miss and the step runs again on fresh state.
 */
export async function onCurrent<T>(
  scope: Scope,
  commentId: string,
  step: (current: CommentRow) => Promise<T | typeof stale>,
  find: (scope: Scope, commentId: string) => Promise<CommentRow> = findComment,
): Promise<T> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const outcome = await step(await find(scope, commentId));
    if (outcome !== stale) return outcome;
  }
  throw new AppError("conflict", "The comment kept changing; try again.");
}
