import {
  type Event,
  Id,
  type LiveMessage,
  type Post,
  type ProfileSummary,
  publicPost,
} from "@flock/contracts";
import { type Db, inList, nowIso, parseInput } from "@flock/kit";
import { and, eq, lt, sql } from "drizzle-orm";
import { followStates, livePresence, posts } from "./db/schema";
import type { Scope } from "./scope";
import { hydrate } from "./timelines";
import { notBlockedOrMuted } from "./visibility";

/** Sends a message to these users' live sockets; answers those who had one open. */
export type Push = (userIds: string[], message: LiveMessage) => Promise<string[]>;

/** Profiles by id from the users service, for authors this service's replica does not know yet. */
export type Profiles = (ids: string[]) => Promise<ProfileSummary[]>;

/** What the pushes go through: the live service, and the users service for unknown authors. */
export type LivePorts = { push: Push; profiles: Profiles };

/** Readers pushed to per call to the live service. */
const PUSH_GROUP = 500;

/** Records that a reader has a live socket open (the gateway reports each upgrade). */
export async function notePresence(scope: Scope, userId: string): Promise<null> {
  const reader = parseInput(Id, userId);
  const seenAt = nowIso();
  await scope.db
    .insert(livePresence)
    .values({ userId: reader, seenAt })
    .onConflictDoUpdate({ target: livePresence.userId, set: { seenAt } });
  return null;
}

/** The live pushes of these events, once committed: each new post to its author's connected followers. */
export async function pushNewPosts(db: Db, ports: LivePorts, events: Event[]): Promise<void> {
  for (const event of events)
    if (event.type === "post.created") await pushNewPost(db, ports, event.data, event.requestId);
}

/**
 * Pushes a new post to the followers of its author who are connected, whether the post was fanned
 * out or (a celebrity's) is merged at read time: the same readers its home feed shows it to, but
 * found through `live_presence`, so an offline follower costs nothing. Like the home feed, nobody
 * across a block from, or muting, its author (or the author of the post it shares) gets it, and a
 * held or hidden post goes to no one. Readers found offline are dropped from presence.
 */
export async function pushNewPost(
  db: Db,
  { push, profiles }: LivePorts,
  created: { postId: string; authorId: string },
  requestId: string,
): Promise<void> {
  const startedAt = nowIso();
  const [row] = await db
    .select()
    .from(posts)
    .where(and(eq(posts.id, created.postId), eq(posts.status, "visible")));
  if (!row) return;
  const readers = await db
    .select({ id: livePresence.userId })
    .from(livePresence)
    .innerJoin(
      followStates,
      and(
        eq(followStates.followerId, livePresence.userId),
        eq(followStates.followeeId, row.authorId),
        eq(followStates.following, true),
      ),
    )
    .where(
      notBlockedOrMuted(sql`${livePresence.userId}`, {
        authorId: sql`${row.authorId}`,
        sharedPostId: sql`${row.sharedPostId}`,
      }),
    );
  if (readers.length === 0) return;
  const [record] = await hydrate({ db, ctx: { requestId, actorId: null } }, [row]);
  if (!record) return;
  // A new account's first posts may come before its profile reached the replica: ask users, as the
  // gateway does when it composes a page.
  const unknown = [record, ...(record.sharedPost ? [record.sharedPost] : [])]
    .filter((known) => !known.author)
    .map((known) => known.authorId);
  const authors = unknown.length > 0 ? await profiles(unknown) : [];
  const shown = publicPost(record, new Map(authors.map((author) => [author.id, author])));
  if (!shown) return;
  // Nobody has liked or shared a post this new; the original a share embeds is sent as a signed-out
  // reader sees it (no viewer state), which the next read of the feed completes.
  const post: Post = { ...shown, viewer: { liked: false, shared: false } };
  const ids = readers.map((reader) => reader.id);
  for (let start = 0; start < ids.length; start += PUSH_GROUP) {
    const group = ids.slice(start, start + PUSH_GROUP);
    const connected = new Set(await push(group, { type: "post", post }));
    const gone = group.filter((id) => !connected.has(id));
    if (gone.length > 0)
      await db
        .delete(livePresence)
        .where(and(inList(livePresence.userId, gone), lt(livePresence.seenAt, startedAt)));
  }
}
