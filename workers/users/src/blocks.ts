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
import {
  blocks,
  follows,
  friendRequests,
  mutes,
  outbox,
  relationRevisions,
  users,
} from "./db/schema";
import { revisedIfChanged as followRevised } from "./follows";
import { endFriendship } from "./friends";
import { findByHandle, getProfile, summaryColumns, toSummary } from "./profiles";
import { actor, type Scope } from "./scope";

/** The other account of a block or mute: anyone but yourself. */
async function otherThanMe(scope: Scope, handle: string, what: "block" | "mute") {
  const me = actor(scope);
  const target = await findByHandle(scope, handle);
  if (target.id === me) {
    throw new AppError("validation", `You cannot ${what} yourself.`, [
      { path: "handle", message: "is your own" },
    ]);
  }
  return { me, target };
}

/**
 * Blocks an account. In the same transaction it ends the follows both ways (with their
 * user.unfollowed events, so counts and timelines follow), cancels pending friend requests both
 * ways and ends a friendship. Blocking twice changes nothing and emits nothing.
 */
export async function block(scope: Scope, handle: string): Promise<Profile> {
  const { db } = scope;
  const { me, target } = await otherThanMe(scope, handle, "block");
  const pair = { blockerId: me, blockedId: target.id };
  const unfollowOf = (followerId: string, followeeId: string) => [
    db
      .delete(follows)
      .where(and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId))),
    ...followRevised(
      db,
      makeEvent("users", scope.ctx, "user.unfollowed", { followerId, followeeId }),
      followerId,
      followeeId,
    ),
  ];
  // One statement per direction: an OR of the two makes SQLite's planner fail on the partial index.
  const cancelRequest = (fromId: string, toId: string) =>
    db
      .update(friendRequests)
      .set({ status: "canceled", updatedAt: nowIso() })
      .where(
        and(
          eq(friendRequests.fromId, fromId),
          eq(friendRequests.toId, toId),
          eq(friendRequests.status, "pending"),
        ),
      );
  await db.batch([
    db
      .insert(blocks)
      .values({ id: newId(), ...pair, createdAt: nowIso() })
      .onConflictDoNothing(),
    ...revisedIfChanged(
      db,
      makeEvent("users", scope.ctx, "user.blocked", pair),
      "block",
      me,
      target.id,
    ),
    ...unfollowOf(me, target.id),
    ...unfollowOf(target.id, me),
    cancelRequest(me, target.id),
    cancelRequest(target.id, me),
    endFriendship(db, me, target.id),
  ]);
  return getProfile(scope, handle);
}

/** Lifts a block; what it ended stays ended. Unblocking someone you do not block changes nothing. */
export async function unblock(scope: Scope, handle: string): Promise<Profile> {
  const { db } = scope;
  const { me, target } = await otherThanMe(scope, handle, "block");
  const pair = { blockerId: me, blockedId: target.id };
  await db.batch([
    db.delete(blocks).where(and(eq(blocks.blockerId, me), eq(blocks.blockedId, target.id))),
    ...revisedIfChanged(
      db,
      makeEvent("users", scope.ctx, "user.unblocked", pair),
      "block",
      me,
      target.id,
    ),
  ]);
  return getProfile(scope, handle);
}

/** Mutes an account; it is not told, and nothing between the two changes but what the muter sees. */
export async function mute(scope: Scope, handle: string): Promise<Profile> {
  const { db } = scope;
  const { me, target } = await otherThanMe(scope, handle, "mute");
  const pair = { muterId: me, mutedId: target.id };
  await db.batch([
    db
      .insert(mutes)
      .values({ id: newId(), ...pair, createdAt: nowIso() })
      .onConflictDoNothing(),
    ...revisedIfChanged(
      db,
      makeEvent("users", scope.ctx, "user.muted", pair),
      "mute",
      me,
      target.id,
    ),
  ]);
  return getProfile(scope, handle);
}

/** Lifts a mute; unmuting someone you do not mute changes nothing. */
export async function unmute(scope: Scope, handle: string): Promise<Profile> {
  const { db } = scope;
  const { me, target } = await otherThanMe(scope, handle, "mute");
  const pair = { muterId: me, mutedId: target.id };
  await db.batch([
    db.delete(mutes).where(and(eq(mutes.muterId, me), eq(mutes.mutedId, target.id))),
    ...revisedIfChanged(
      db,
      makeEvent("users", scope.ctx, "user.unmuted", pair),
      "mute",
      me,
      target.id,
    ),
  ]);
  return getProfile(scope, handle);
}

/**
 * The statements that follow a block's, unblock's, mute's or unmute's write in its batch: when that
 * write changed a row they step the pair's revision of that kind, enqueue the event and write the
 * revision into it, in the write's transaction, as follows.ts does for follows (decision 0019).
 */
function revisedIfChanged(
  db: Db,
  event: Event,
  kind: "block" | "mute",
  userId: string,
  otherId: string,
): Statement[] {
  return enqueueRevised(db, outbox, event, {
    table: relationRevisions,
    revision: relationRevisions.revision,
    key: [
      [relationRevisions.userId, userId],
      [relationRevisions.otherId, otherId],
      [relationRevisions.kind, kind],
    ],
  });
}

/** Each list of accounts the actor keeps away: whose rows, whom they name, and their keyset. */
const lists = {
  blocks: { owner: blocks.blockerId, other: blocks.blockedId, key: blocks.id },
  mutes: { owner: mutes.muterId, other: mutes.mutedId, key: mutes.id },
};

/** The accounts the actor blocks or mutes, newest first. */
export async function listRestricted(
  scope: Scope,
  list: keyof typeof lists,
  query: ListQuery,
): Promise<Page<ProfileSummary>> {
  const { owner, other, key } = lists[list];
  const after = decodeCursor(query.cursor);
  const rows = await scope.db
    .select({ ...summaryColumns, key })
    .from(list === "blocks" ? blocks : mutes)
    .innerJoin(users, eq(users.id, other))
    .where(and(eq(owner, actor(scope)), after ? lt(key, after) : undefined))
    .orderBy(desc(key))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.key, toSummary);
}
