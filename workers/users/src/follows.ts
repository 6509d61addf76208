import type { Event, ListQuery, Page, Profile, ProfileSummary } from "@flock/contracts";
import {
  AppError,
  type Db,
  decodeCursor,
  enqueueRevised,
  makeEvent,
  newId,
  nowIso,
  type Statement,
  toPage,
} from "@flock/kit";
import { and, desc, eq, lt } from "drizzle-orm";
import { followRevisions, follows, outbox, users } from "./db/schema";
import { findByHandle, getProfile, summaryColumns, toSummary } from "./profiles";
import { actor, type Scope } from "./scope";

/** Follows a user; following twice changes nothing and emits nothing. Returns the followed profile. */
export async function follow(scope: Scope, handle: string): Promise<Profile> {
  const { db } = scope;
  const followerId = actor(scope);
  const target = await findByHandle(scope, handle);
  if (target.id === followerId) {
    throw new AppError("validation", "You cannot follow yourself.", [
      { path: "handle", message: "is your own" },
    ]);
  }
  const event = makeEvent("users", scope.ctx, "user.followed", {
    followerId,
    followeeId: target.id,
  });
  await db.batch([
    db
      .insert(follows)
      .values({ id: newId(), followerId, followeeId: target.id, createdAt: nowIso() })
      .onConflictDoNothing(),
    ...revisedIfChanged(db, event, followerId, target.id),
  ]);
  return getProfile(scope, handle);
}

/** Stops following a user; unfollowing someone you do not follow changes nothing. */
export async function unfollow(scope: Scope, handle: string): Promise<Profile> {
  const { db } = scope;
  const followerId = actor(scope);
  const target = await findByHandle(scope, handle);
  const event = makeEvent("users", scope.ctx, "user.unfollowed", {
    followerId,
    followeeId: target.id,
  });
  await db.batch([
    db
      .delete(follows)
      .where(and(eq(follows.followerId, followerId), eq(follows.followeeId, target.id))),
    ...revisedIfChanged(db, event, followerId, target.id),
  ]);
  return getProfile(scope, handle);
}

/**
 * The statements that follow a follow's or an unfollow's write in its batch: when that write changed
 * a row, they step the pair's revision, enqueue the event and write the revision into the queued
 * event, all in the write's transaction. So a revision counts the pair's committed changes, in commit
 * order, which the posts inbox trusts over the event ids (decision 0019).
 */
export function revisedIfChanged(
  db: Db,
  event: Event,
  followerId: string,
  followeeId: string,
): Statement[] {
  return enqueueRevised(db, outbox, event, {
    table: followRevisions,
    revision: followRevisions.revision,
    key: [
      [followRevisions.followerId, followerId],
      [followRevisions.followeeId, followeeId],
    ],
  });
}

export async function listFollowers(
  scope: Scope,
  handle: string,
  query: ListQuery,
): Promise<Page<ProfileSummary>> {
  const target = await findByHandle(scope, handle);
  const after = decodeCursor(query.cursor);
  const rows = await scope.db
    .select({ ...summaryColumns, key: follows.id })
    .from(follows)
    .innerJoin(users, eq(users.id, follows.followerId))
    .where(and(eq(follows.followeeId, target.id), after ? lt(follows.id, after) : undefined))
    .orderBy(desc(follows.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.key, toSummary);
}

export async function listFollowing(
  scope: Scope,
  handle: string,
  query: ListQuery,
): Promise<Page<ProfileSummary>> {
  const target = await findByHandle(scope, handle);
  const after = decodeCursor(query.cursor);
  const rows = await scope.db
    .select({ ...summaryColumns, key: follows.id })
    .from(follows)
    .innerJoin(users, eq(users.id, follows.followeeId))
    .where(and(eq(follows.followerId, target.id), after ? lt(follows.id, after) : undefined))
    .orderBy(desc(follows.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.key, toSummary);
}

/**
 * Follower ids, newest follow first, with the total follower count: the posts service fans a new
 * post out to these, and decides from the total whether the author is merged in at read time instead.
 */
export async function followerIds(
  scope: Scope,
  userId: string,
  query: ListQuery,
): Promise<Page<string> & { total: number }> {
  const { db } = scope;
  const after = decodeCursor(query.cursor);
  const [rows, authors] = await db.batch([
    db
      .select({ id: follows.followerId, key: follows.id })
      .from(follows)
      .where(and(eq(follows.followeeId, userId), after ? lt(follows.id, after) : undefined))
      .orderBy(desc(follows.id))
      .limit(query.limit + 1),
    db.select({ total: users.followerCount }).from(users).where(eq(users.id, userId)),
  ]);
  const page = toPage(
    rows,
    query.limit,
    (row) => row.key,
    (row) => row.id,
  );
  return { ...page, total: authors[0]?.total ?? 0 };
}
