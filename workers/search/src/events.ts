import type { Event, IndexedPost, ProfileSummary } from "@flock/contracts";
import { type Db, inList, recordRelation, type Statement } from "@flock/kit";
import { and, eq, or, sql } from "drizzle-orm";
import { deletedPosts, deletedUsers, indexedPosts, indexedUsers, relations } from "./db/schema";
import { fold } from "./terms";

/** Reads posts' text and status from the posts service; posts it no longer has are left out. */
export type ReadPosts = (ids: string[]) => Promise<IndexedPost[]>;

/**
 * What the search service does with the events it subscribes to: the statements that bring the
 * index up to date, to run in one batch with the record that the event was applied. A post event
 * reads the post as it is now, so events about one post may arrive in any order, or twice.
 */
export async function applyEvent(db: Db, event: Event, readPosts: ReadPosts): Promise<Statement[]> {
  switch (event.type) {
    case "post.created":
    case "post.updated": {
      const { postId } = event.data;
      return indexPosts(db, [postId], await readPosts([postId]));
    }
    case "post.deleted":
      return [
        db.insert(deletedPosts).values({ postId: event.data.postId }).onConflictDoNothing(),
        db.delete(indexedPosts).where(eq(indexedPosts.postId, event.data.postId)),
      ];
    case "user.registered":
    case "user.updated": {
      const { userId, handle, displayName, avatarUrl, revision = 0 } = event.data;
      return indexUsers(db, [{ id: userId, handle, displayName, avatarUrl }], {
        eventId: event.id,
        revision,
      });
    }
    case "user.deleted": {
      const { userId } = event.data;
      return [
        db.insert(deletedUsers).values({ userId }).onConflictDoNothing(),
        db.delete(indexedUsers).where(eq(indexedUsers.userId, userId)),
        db.delete(indexedPosts).where(eq(indexedPosts.authorId, userId)),
        db.delete(relations).where(or(eq(relations.userId, userId), eq(relations.otherId, userId))),
      ];
    }
    case "user.blocked":
    case "user.unblocked": {
      const { blockerId, blockedId } = event.data;
      return [
        recordRelation(db, relations, event),
        // A block event that arrives after either account's deletion leaves nothing behind.
        db
          .delete(relations)
          .where(
            and(
              eq(relations.userId, blockerId),
              eq(relations.otherId, blockedId),
              sql`EXISTS (SELECT 1 FROM ${deletedUsers} WHERE ${deletedUsers.userId} IN (${blockerId}, ${blockedId}))`,
            ),
          ),
      ];
    }
    default:
      return [];
  }
}

/** Whether a post belongs in the index: a visible original (a share's own words are not searched). */
function searchable(post: IndexedPost): boolean {
  return post.status === "visible" && post.sharedPostId === null;
}

/**
 * The statements that make the index hold these posts as read: each searchable one written (a
 * first time or again), every other id asked about removed — held, hidden, a share, or gone.
 */
export function indexPosts(db: Db, ids: readonly string[], read: IndexedPost[]): Statement[] {
  const shown = read.filter(searchable);
  const statements: Statement[] = [];
  const absent = ids.filter((id) => !shown.some((post) => post.id === id));
  if (absent.length > 0)
    statements.push(db.delete(indexedPosts).where(inList(indexedPosts.postId, absent)));
  for (const post of shown) {
    const row = {
      postId: post.id,
      authorId: post.authorId,
      title: fold([post.title, post.description].filter((part) => part).join("\n")),
      body: fold(post.body),
      tags: post.tags.join(" "),
      tagList: post.tags,
      createdMs: Date.parse(post.createdAt),
    };
    statements.push(
      db
        .insert(indexedPosts)
        .values(row)
        .onConflictDoUpdate({
          target: indexedPosts.postId,
          set: {
            title: row.title,
            body: row.body,
            tags: row.tags,
            tagList: row.tagList,
            createdMs: row.createdMs,
          },
        }),
    );
  }
  if (shown.length > 0) {
    // In the same batch: a post read just before it or its author was deleted, and written after
    // the deletion was applied, stays out.
    statements.push(
      db.delete(indexedPosts).where(
        and(
          inList(
            indexedPosts.postId,
            shown.map((post) => post.id),
          ),
          or(
            sql`${indexedPosts.authorId} IN (SELECT ${deletedUsers.userId} FROM ${deletedUsers})`,
            sql`${indexedPosts.postId} IN (SELECT ${deletedPosts.postId} FROM ${deletedPosts})`,
          ),
        ),
      ),
    );
  }
  return statements;
}

/**
 * The statements that record accounts as of a profile revision and an event: a change that
 * committed before the one recorded, arriving later, changes nothing (the revision decides, then
 * the event id), and a deleted account is not put back.
 */
export function indexUsers(
  db: Db,
  profiles: ProfileSummary[],
  asOf: { eventId: string; revision: number },
): Statement[] {
  if (profiles.length === 0) return [];
  const ids = profiles.map((profile) => profile.id);
  const { eventId, revision } = asOf;
  return [
    ...profiles.map((profile) => {
      const row = {
        userId: profile.id,
        handle: profile.handle,
        displayName: profile.displayName,
        avatarUrl: profile.avatarUrl,
        eventId,
        revision,
      };
      return db
        .insert(indexedUsers)
        .values(row)
        .onConflictDoUpdate({
          target: indexedUsers.userId,
          set: {
            handle: row.handle,
            displayName: row.displayName,
            avatarUrl: row.avatarUrl,
            eventId,
            revision,
          },
          setWhere: sql`(${indexedUsers.revision}, ${indexedUsers.eventId}) < (${revision}, ${eventId})`,
        });
    }),
    db
      .delete(indexedUsers)
      .where(
        and(
          inList(indexedUsers.userId, ids),
          sql`${indexedUsers.userId} IN (SELECT ${deletedUsers.userId} FROM ${deletedUsers})`,
        ),
      ),
  ];
}
