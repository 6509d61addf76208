import {
  type Friendship,
  type IndexPageQuery,
  IndexPageQuery as IndexPageQuerySchema,
  type Page,
  type Profile,
  type ProfileCard,
  type ProfileSummary,
  type Standing,
  type User,
} from "@flock/contracts";
import { AppError, inList, parseInput } from "@flock/kit";
import { asc, eq, gt, sql } from "drizzle-orm";
import { users } from "./db/schema";
import type { Scope } from "./scope";

export type UserRow = typeof users.$inferSelect;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    handle: row.handle,
    email: row.email,
    emailVerified: row.emailVerifiedAt !== null,
    displayName: row.displayName,
    bio: row.bio,
    avatarUrl: row.avatarUrl,
    role: row.role,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** What the users service vouches for about an account: its role, age and suspension. */
export function standingOf(row: Pick<UserRow, "role" | "createdAt" | "suspendedAt">): Standing {
  return { role: row.role, createdAt: row.createdAt, suspended: row.suspendedAt !== null };
}

export function toSummary(
  row: Pick<UserRow, "id" | "handle" | "displayName" | "avatarUrl">,
): ProfileSummary {
  return { id: row.id, handle: row.handle, displayName: row.displayName, avatarUrl: row.avatarUrl };
}

export const summaryColumns = {
  id: users.id,
  handle: users.handle,
  displayName: users.displayName,
  avatarUrl: users.avatarUrl,
};

export async function findByHandle(scope: Scope, handle: string): Promise<UserRow> {
  const [row] = await scope.db
    .select()
    .from(users)
    .where(eq(users.handle, handle.toLowerCase()))
    .limit(1);
  if (!row) throw new AppError("not_found", `No user @${handle}.`);
  return row;
}

export async function findById(scope: Scope, id: string): Promise<UserRow> {
  const [row] = await scope.db.select().from(users).where(eq(users.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "That account no longer exists.");
  return row;
}

/** A full profile; when someone is signed in, how they relate to its owner. One D1 query. */
export async function getProfile(scope: Scope, handle: string): Promise<Profile> {
  const viewerId = scope.ctx.actorId;
  const byHandle = eq(users.handle, handle.toLowerCase());
  if (!viewerId) {
    const [row] = await scope.db.select().from(users).where(byHandle).limit(1);
    if (!row) throw new AppError("not_found", `No user @${handle}.`);
    return toProfile(row);
  }
  const [row] = await scope.db
    .select({
      user: users,
      // Qualified by hand: drizzle leaves select-list columns unqualified, and "id" would bind to the subquery.
      following: sql<number>`EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ${viewerId} AND f.followee_id = users.id)`,
      followedBy: sql<number>`EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = users.id AND f.followee_id = ${viewerId})`,
      friends: sql<number>`EXISTS (SELECT 1 FROM friendships s WHERE s.user_id = ${viewerId} AND s.friend_id = users.id)`,
      outgoing: sql<number>`EXISTS (SELECT 1 FROM friend_requests r WHERE r.from_id = ${viewerId} AND r.to_id = users.id AND r.status = 'pending')`,
      incoming: sql<number>`EXISTS (SELECT 1 FROM friend_requests r WHERE r.from_id = users.id AND r.to_id = ${viewerId} AND r.status = 'pending')`,
      blocking: sql<number>`EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = ${viewerId} AND b.blocked_id = users.id)`,
      blockedBy: sql<number>`EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = users.id AND b.blocked_id = ${viewerId})`,
      muting: sql<number>`EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = ${viewerId} AND m.muted_id = users.id)`,
    })
    .from(users)
    .where(byHandle)
    .limit(1);
  if (!row) throw new AppError("not_found", `No user @${handle}.`);
  let friendship: Friendship = "none";
  if (row.friends) friendship = "friends";
  else if (row.outgoing) friendship = "outgoing";
  else if (row.incoming) friendship = "incoming";
  return {
    ...toProfile(row.user),
    viewer: {
      following: Boolean(row.following),
      followedBy: Boolean(row.followedBy),
      friendship,
      blocking: Boolean(row.blocking),
      blockedBy: Boolean(row.blockedBy),
      muting: Boolean(row.muting),
    },
  };
}

function toProfile(row: UserRow): Profile {
  return {
    ...toSummary(row),
    bio: row.bio,
    createdAt: row.createdAt,
    followerCount: row.followerCount,
    followingCount: row.followingCount,
    postCount: row.postCount,
  };
}

export async function getProfilesByHandles(
  scope: Scope,
  handles: readonly string[],
): Promise<ProfileSummary[]> {
  if (handles.length === 0) return [];
  const wanted = [...new Set(handles.map((handle) => handle.toLowerCase()))];
  const rows = await scope.db
    .select(summaryColumns)
    .from(users)
    .where(inList(users.handle, wanted));
  return rows.map(toSummary);
}

/**
 * Every account's summary, a page in id order after a cursor: what `npm run search:reindex` rebuilds
 * the search index's accounts from.
 */
export async function profilesForIndex(
  scope: Scope,
  raw: IndexPageQuery,
): Promise<Page<ProfileSummary>> {
  const query = parseInput(IndexPageQuerySchema, raw);
  const rows = await scope.db
    .select(summaryColumns)
    .from(users)
    .where(query.after ? gt(users.id, query.after) : undefined)
    .orderBy(asc(users.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map(toSummary);
  return { items, nextCursor: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null };
}

/**
 * The profiles of many ids as the caller sees them in a list, in one query, in no particular order;
 * unknown ids are left out. Whether the caller follows each is one primary-key probe per row.
 */
export async function getProfiles(scope: Scope, ids: readonly string[]): Promise<ProfileCard[]> {
  if (ids.length === 0) return [];
  const viewerId = scope.ctx.actorId;
  const rows = await scope.db
    .select({
      ...summaryColumns,
      bio: users.bio,
      following: viewerId
        ? sql<number>`EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ${viewerId} AND f.followee_id = users.id)`
        : sql<number>`0`,
    })
    .from(users)
    .where(inList(users.id, [...new Set(ids)]));
  return rows.map((row) => ({
    ...toSummary(row),
    bio: row.bio,
    following: Boolean(row.following),
  }));
}
