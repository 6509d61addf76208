import type { FriendRequest, ListQuery, Page, Profile, ProfileSummary } from "@flock/contracts";
import {
  AppError,
  type Db,
  decodeCursor,
  enqueue,
  enqueueIfChanged,
  isUniqueViolation,
  makeEvent,
  newId,
  nowIso,
  toPage,
} from "@flock/kit";
import { and, desc, eq, gt, lt, or } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { friendRequests, friendships, outbox, users } from "./db/schema";
import { findByHandle, getProfile, summaryColumns, toSummary } from "./profiles";
import { actor, type Scope } from "./scope";

const fromUser = alias(users, "from_user");
const toUser = alias(users, "to_user");

/** How long a declined friend request keeps its sender from asking the same person again. */
export const DECLINE_COOLDOWN_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Sends a friend request. If the other user already asked you, this accepts theirs instead. A
 * request the other user declined less than DECLINE_COOLDOWN_MS before `now` is a 409.
 */
export async function sendFriendRequest(
  scope: Scope,
  handle: string,
  now: Date = new Date(),
): Promise<FriendRequest> {
  const { db } = scope;
  const me = actor(scope);
  const target = await findByHandle(scope, handle);
  if (target.id === me) {
    throw new AppError("validation", "You cannot befriend yourself.", [
      { path: "handle", message: "is your own" },
    ]);
  }
  const [friendship, pending, declined] = await db.batch([
    db
      .select({ id: friendships.id })
      .from(friendships)
      .where(and(eq(friendships.userId, me), eq(friendships.friendId, target.id))),
    db
      .select({ id: friendRequests.id, fromId: friendRequests.fromId })
      .from(friendRequests)
      .where(
        and(
          eq(friendRequests.status, "pending"),
          or(
            and(eq(friendRequests.fromId, me), eq(friendRequests.toId, target.id)),
            and(eq(friendRequests.fromId, target.id), eq(friendRequests.toId, me)),
          ),
        ),
      ),
    db
      .select({ at: friendRequests.updatedAt })
      .from(friendRequests)
      .where(
        and(
          eq(friendRequests.fromId, me),
          eq(friendRequests.status, "declined"),
          eq(friendRequests.toId, target.id),
          gt(friendRequests.updatedAt, new Date(now.getTime() - DECLINE_COOLDOWN_MS).toISOString()),
        ),
      )
      .orderBy(desc(friendRequests.updatedAt))
      .limit(1),
  ]);
  if (friendship.length > 0)
    throw new AppError("conflict", `You and @${target.handle} are already friends.`);
  const theirs = pending.find((request) => request.fromId === target.id);
  if (theirs) return acceptFriendRequest(scope, theirs.id);
  if (pending.length > 0) throw new AppError("conflict", `You already asked @${target.handle}.`);
  const [lastDecline] = declined;
  if (lastDecline) {
    const again = new Date(Date.parse(lastDecline.at) + DECLINE_COOLDOWN_MS);
    throw new AppError(
      "conflict",
      `@${target.handle} declined your friend request; you can ask again from ${again.toUTCString()}.`,
    );
  }

  const at = now.toISOString();
  const id = newId();
  const event = makeEvent("users", scope.ctx, "friend.requested", {
    friendRequestId: id,
    fromId: me,
    toId: target.id,
  });
  try {
    await db.batch([
      db.insert(friendRequests).values({
        id,
        fromId: me,
        toId: target.id,
        status: "pending",
        createdAt: at,
        updatedAt: at,
      }),
      enqueue(db, outbox, event),
    ]);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("conflict", `You already asked @${target.handle}.`);
    throw error;
  }
  return getFriendRequest(scope, id);
}

export async function listFriendRequests(
  scope: Scope,
  direction: "incoming" | "outgoing",
  query: ListQuery,
): Promise<Page<FriendRequest>> {
  const me = actor(scope);
  const after = decodeCursor(query.cursor);
  const mine =
    direction === "incoming" ? eq(friendRequests.toId, me) : eq(friendRequests.fromId, me);
  const rows = await selectRequests(scope)
    .where(
      and(
        mine,
        eq(friendRequests.status, "pending"),
        after ? lt(friendRequests.id, after) : undefined,
      ),
    )
    .orderBy(desc(friendRequests.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.id, toFriendRequest);
}

/** Accepts a pending request; only its addressee may. Both users become friends. */
export async function acceptFriendRequest(scope: Scope, id: string): Promise<FriendRequest> {
  const { db } = scope;
  const request = await pendingRequestFor(scope, id, "to");
  const now = nowIso();
  const event = makeEvent("users", scope.ctx, "friend.accepted", {
    friendRequestId: id,
    fromId: request.from.id,
    toId: request.to.id,
  });
  await db.batch([
    db
      .insert(friendships)
      .values([
        { id: newId(), userId: request.from.id, friendId: request.to.id, createdAt: now },
        { id: newId(), userId: request.to.id, friendId: request.from.id, createdAt: now },
      ])
      .onConflictDoNothing(),
    db
      .update(friendRequests)
      .set({ status: "accepted", updatedAt: now })
      .where(and(eq(friendRequests.id, id), eq(friendRequests.status, "pending"))),
    enqueueIfChanged(db, outbox, event),
  ]);
  return getFriendRequest(scope, id);
}

/** Declines a pending request; only its addressee may. */
export async function declineFriendRequest(scope: Scope, id: string): Promise<FriendRequest> {
  await pendingRequestFor(scope, id, "to");
  await setStatus(scope, id, "declined");
  return getFriendRequest(scope, id);
}

/** Withdraws a pending request; only its sender may. */
export async function cancelFriendRequest(scope: Scope, id: string): Promise<null> {
  await pendingRequestFor(scope, id, "from");
  await setStatus(scope, id, "canceled");
  return null;
}

/** Ends a friendship on both sides; unfriending a non-friend changes nothing. */
export async function unfriend(scope: Scope, handle: string): Promise<Profile> {
  const target = await findByHandle(scope, handle);
  await endFriendship(scope.db, actor(scope), target.id);
  return getProfile(scope, handle);
}

/** The statement that removes a friendship's two rows, if the two are friends. */
export function endFriendship(db: Db, a: string, b: string) {
  return db
    .delete(friendships)
    .where(
      or(
        and(eq(friendships.userId, a), eq(friendships.friendId, b)),
        and(eq(friendships.userId, b), eq(friendships.friendId, a)),
      ),
    );
}

export async function listFriends(
  scope: Scope,
  handle: string,
  query: ListQuery,
): Promise<Page<ProfileSummary>> {
  const target = await findByHandle(scope, handle);
  const after = decodeCursor(query.cursor);
  const rows = await scope.db
    .select({ ...summaryColumns, key: friendships.id })
    .from(friendships)
    .innerJoin(users, eq(users.id, friendships.friendId))
    .where(and(eq(friendships.userId, target.id), after ? lt(friendships.id, after) : undefined))
    .orderBy(desc(friendships.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.key, toSummary);
}

function selectRequests(scope: Scope) {
  return scope.db
    .select({
      id: friendRequests.id,
      status: friendRequests.status,
      createdAt: friendRequests.createdAt,
      from: {
        id: fromUser.id,
        handle: fromUser.handle,
        displayName: fromUser.displayName,
        avatarUrl: fromUser.avatarUrl,
      },
      to: {
        id: toUser.id,
        handle: toUser.handle,
        displayName: toUser.displayName,
        avatarUrl: toUser.avatarUrl,
      },
    })
    .from(friendRequests)
    .innerJoin(fromUser, eq(fromUser.id, friendRequests.fromId))
    .innerJoin(toUser, eq(toUser.id, friendRequests.toId));
}

type RequestRow = Awaited<ReturnType<ReturnType<typeof selectRequests>["where"]>>[number];

function toFriendRequest(row: RequestRow): FriendRequest {
  return {
    id: row.id,
    status: row.status,
    createdAt: row.createdAt,
    from: toSummary(row.from),
    to: toSummary(row.to),
  };
}

async function getFriendRequest(scope: Scope, id: string): Promise<FriendRequest> {
  const [row] = await selectRequests(scope).where(eq(friendRequests.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such friend request.");
  return toFriendRequest(row);
}

/**
 * Loads a pending request the actor takes part in as `side`. Someone outside the request gets a 404
 * (it is not theirs to know of); the other party gets a 403; a settled request is a 409.
 */
async function pendingRequestFor(
  scope: Scope,
  id: string,
  side: "from" | "to",
): Promise<FriendRequest> {
  const me = actor(scope);
  const request = await getFriendRequest(scope, id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") return null;
    throw error;
  });
  if (!request || (request.from.id !== me && request.to.id !== me))
    throw new AppError("not_found", "No such friend request.");
  if (request[side].id !== me) {
    throw new AppError(
      "forbidden",
      side === "to"
        ? "Only the person asked can answer a friend request."
        : "Only the sender can cancel a friend request.",
    );
  }
  if (request.status !== "pending")
    throw new AppError("conflict", `This friend request was already ${request.status}.`);
  return request;
}

async function setStatus(scope: Scope, id: string, status: "declined" | "canceled"): Promise<void> {
  await scope.db
    .update(friendRequests)
    .set({ status, updatedAt: nowIso() })
    .where(and(eq(friendRequests.id, id), eq(friendRequests.status, "pending")));
}
