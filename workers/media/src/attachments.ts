import { type ClaimedMedia, type Event, MediaHolder, mediaUrl } from "@flock/contracts";
import { AppError, type Db, inList, parseInput, type Statement } from "@flock/kit";
import { and, eq, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import { z } from "zod";
import { media } from "./db/schema";
import { actor, type Scope } from "./scope";

/** How long an upload may wait to be attached, and an attachment to be confirmed, before it goes. */
export const UNATTACHED_MS = 24 * 60 * 60 * 1000;
/** How long a row may wait for its object (the put failed, or the worker stopped) before it goes. */
export const UNSTORED_MS = 60 * 60 * 1000;

const Ids = z.array(z.string().min(1).max(64)).min(1).max(4);

/**
 * Attaches the caller's uploads to `holder` in one statement: each must be the caller's, stored, not
 * on its way out, and free or already this holder's. When one is not, nothing is attached and the
 * failure says why (a read only on that path): 404 unknown, 403 another's, 409 held elsewhere.
 */
export async function claim(
  scope: Scope,
  rawHolder: MediaHolder,
  rawIds: string[],
): Promise<ClaimedMedia[]> {
  const owner = actor(scope);
  const holder = parseInput(MediaHolder, rawHolder);
  const ids = [...new Set(parseInput(Ids, rawIds))];
  if (holder.kind === "avatar" && holder.id !== owner)
    throw new AppError("forbidden", "An avatar is its owner's own.");
  const { db } = scope;
  const now = Date.now();
  const free = and(
    inList(media.id, ids),
    eq(media.ownerId, owner),
    isNotNull(media.storedAt),
    isNull(media.deletingAt),
    or(
      isNull(media.attachedTo),
      and(eq(media.attachedKind, holder.kind), eq(media.attachedTo, holder.id)),
    ),
  );
  // All or none: the update applies only when every id qualifies, in one round trip.
  const claimed = await db
    .update(media)
    .set({ attachedKind: holder.kind, attachedTo: holder.id, claimedAt: now })
    .where(and(free, sql`(SELECT count(*) FROM ${media} WHERE ${free}) = ${ids.length}`))
    .returning({ id: media.id, width: media.width, height: media.height });
  if (claimed.length < ids.length) throw await refusal(db, owner, ids);
  const byId = new Map(claimed.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [{ id, url: mediaUrl(id), width: row.width, height: row.height }] : [];
  });
}

/**
 * Frees the caller's uploads claimed by `holder` and not confirmed by its event: the holder's write
 * failed after the claim, so a retry may attach them again. A confirmed attachment stays put.
 */
export async function releaseClaim(scope: Scope, rawHolder: MediaHolder): Promise<null> {
  const holder = parseInput(MediaHolder, rawHolder);
  await scope.db
    .update(media)
    .set({ attachedKind: null, attachedTo: null, claimedAt: null })
    .where(
      and(
        eq(media.ownerId, actor(scope)),
        eq(media.attachedKind, holder.kind),
        eq(media.attachedTo, holder.id),
        isNull(media.confirmedAt),
      ),
    );
  return null;
}

async function refusal(db: Db, owner: string, ids: string[]): Promise<AppError> {
  const rows = await db
    .select({ id: media.id, ownerId: media.ownerId, servable: isNotNull(media.storedAt) })
    .from(media)
    .where(and(inList(media.id, ids), isNull(media.deletingAt)));
  if (rows.length < ids.length) return new AppError("not_found", "No such upload.");
  if (rows.some((row) => row.ownerId !== owner))
    return new AppError("forbidden", "Only the uploader can attach an upload.");
  return new AppError("conflict", "An upload is already attached to something else.");
}

/** Marks rows for deletion: from then on they are not served, and the sweep removes them. */
function release(db: Db, where: ReturnType<typeof and>): Statement {
  return db
    .update(media)
    .set({ deletingAt: Date.now() })
    .where(and(where, isNull(media.deletingAt)));
}

const AVATAR_URL = /^\/media\/([0-9A-HJKMNP-TV-Z]{26})$/;

/**
 * What an event does to uploads: a new post confirms its attachments, a deleted post or account
 * releases its uploads, and an account's new avatar confirms that upload and releases the avatar it
 * replaced (the newest change wins, by the users service's commit order, whatever order the events
 * arrive in).
 */
export async function applyEvent(db: Db, event: Event): Promise<Statement[]> {
  const at = Date.parse(event.occurredAt);
  switch (event.type) {
    case "post.created":
      return [
        db
          .update(media)
          .set({ confirmedAt: at })
          .where(and(eq(media.attachedKind, "post"), eq(media.attachedTo, event.data.postId))),
      ];
    case "post.deleted":
      return [
        release(db, and(eq(media.attachedKind, "post"), eq(media.attachedTo, event.data.postId))),
      ];
    case "user.deleted":
      return [release(db, eq(media.ownerId, event.data.userId))];
    case "user.updated": {
      const { userId, avatarUrl } = event.data;
      const current = avatarUrl ? AVATAR_URL.exec(avatarUrl)?.[1] : undefined;
      const avatars = and(eq(media.attachedKind, "avatar"), eq(media.attachedTo, userId));
      // Which change is newer: the profile's revision, counted at commit by the users service, as
      // two changes racing may make their events in the other order; then the event's time (the
      // order of changes from before revisions, all 0).
      const revision = event.data.revision ?? 0;
      const mine = sql`(${revision}, ${at})`;
      const olderThanMine = sql`(coalesce(${media.holderRevision}, 0), ${media.confirmedAt}) < ${mine}`;
      const statements: Statement[] = [];
      if (current)
        statements.push(
          db
            .update(media)
            .set({ confirmedAt: at, holderRevision: revision })
            .where(
              and(avatars, eq(media.id, current), or(isNull(media.confirmedAt), olderThanMine)),
            ),
        );
      // An event overtaken by a newer one names an avatar already replaced: it goes at once.
      if (current)
        statements.push(
          release(
            db,
            and(
              eq(media.id, current),
              sql`EXISTS (SELECT 1 FROM ${media} AS newer WHERE newer.attached_kind = 'avatar' AND newer.attached_to = ${userId} AND newer.id <> ${current} AND newer.confirmed_at IS NOT NULL AND (coalesce(newer.holder_revision, 0), newer.confirmed_at) > ${mine})`,
            ),
          ),
        );
      // Every confirmed avatar older than this change is one it replaced (or removed).
      statements.push(
        release(
          db,
          and(
            avatars,
            isNotNull(media.confirmedAt),
            olderThanMine,
            current ? ne(media.id, current) : undefined,
          ),
        ),
      );
      return statements;
    }
    default:
      return [];
  }
}

/**
 * The cron's clean-up: uploads never attached (or attached but never confirmed) for a day, and rows
 * whose object never arrived for an hour, are marked for the sweep.
 */
export async function releaseStale(db: Db, now = Date.now()): Promise<void> {
  await db.batch([
    release(
      db,
      and(
        isNull(media.confirmedAt),
        lt(sql`coalesce(${media.claimedAt}, ${media.createdAt})`, now - UNATTACHED_MS),
      ),
    ),
    release(db, and(isNull(media.storedAt), lt(media.createdAt, now - UNSTORED_MS))),
  ]);
}
