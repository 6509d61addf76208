// The promises flock makes, checked against the databases themselves once every outbox is drained
// and every inbox is quiet. Each check returns the rows that break it; none is the only good answer.
export type Database = "users" | "posts" | "comments" | "notifications" | "media" | "search";
export type Sql = (database: Database, query: string) => Promise<Array<Record<string, unknown>>>;

const count = async (sql: Sql, database: Database, query: string) =>
  Number((await sql(database, query))[0]?.n ?? 0);

/** Polls (400 ms apart) with nothing changing before the mesh counts as drained: 10 s. */
const QUIET_POLLS = 25;

/** Waits until no outbox has unsent events and the inboxes have stopped applying events. */
export async function drain(
  sql: Sql,
  timeoutMs = 60_000,
  tick: () => Promise<void> = async () => {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  let quiet = 0;
  while (Date.now() < deadline) {
    const unsent = (
      await Promise.all(
        (["users", "posts", "comments"] as const).map((db) =>
          count(sql, db, "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL"),
        ),
      )
    ).reduce((a, b) => a + b, 0);
    const consumers = ["users", "posts", "comments", "notifications", "media", "search"] as const;
    const processed = await Promise.all(
      consumers.map((db) => count(sql, db, "SELECT count(*) AS n FROM processed_events")),
    );
    // A message that failed waits 2, 4, 8 ... s for its retry, unseen by the counts above: the
    // failures noted are part of the state, and quiet must outlast a retry's wait.
    const failures = await Promise.all(
      consumers.map((db) => count(sql, db, "SELECT count(*) AS n FROM inbox_failures")),
    );
    const state = `${unsent}/${processed.join(",")}/${failures.join(",")}`;
    quiet = unsent === 0 && state === last ? quiet + 1 : 0;
    if (quiet >= QUIET_POLLS) return;
    last = state;
    if (unsent > 0) await tick();
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  throw new Error(`the mesh did not drain within ${timeoutMs} ms (last: ${last})`);
}

export type Violation = { invariant: string; detail: unknown };

/** Distinct reporters that hide a comment (workers/comments/src/reports.ts). */
const REPORTS_TO_HIDE = 3;

/** What a poison message sent to an inbox carries, so its dead letter can be told from others. */
export const POISON_MARK = '"poison":true';

/**
 * Checks every invariant. `poisonPerInbox` is how many poison messages were sent to each inbox:
 * exactly that many must be dead letters there, and nothing else. A database or table that cannot
 * be read is a violation too: an invariant that was not checked has not held.
 */
export async function checkInvariants(
  sql: Sql,
  options: {
    celebrityFollowers: number;
    poisonPerInbox: number;
    /**
     * The keys of every object in the media bucket, where the caller can list it (the soak, which
     * reads a running `npm start` through wrangler's CLI, cannot: it checks the rows alone).
     */
    objects?: string[];
  },
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const report = (invariant: string, rows: unknown[]) => {
    for (const detail of rows.slice(0, 5)) violations.push({ invariant, detail });
    if (rows.length > 5) violations.push({ invariant, detail: `...and ${rows.length - 5} more` });
  };
  const read = async (database: Database, query: string) => {
    try {
      return await sql(database, query);
    } catch (error) {
      report(`the ${database} database answers`, [{ query, error: String(error) }]);
      return [];
    }
  };

  const [users, follows, posts, likes, timeline, comments, notifications] = await Promise.all([
    read("users", "SELECT id, follower_count, following_count, post_count FROM users"),
    read("users", "SELECT follower_id, followee_id, created_at FROM follows"),
    read(
      "posts",
      "SELECT id, author_id, shared_post_id, like_count, comment_count, share_count, created_at FROM posts",
    ),
    read("posts", "SELECT post_id, user_id FROM likes"),
    read("posts", "SELECT user_id, post_id, author_id FROM timeline_entries"),
    read("comments", "SELECT id, post_id, author_id, status FROM comments"),
    read(
      "notifications",
      "SELECT type, recipient_id, actor_id, post_id, comment_id FROM notifications",
    ),
  ]);
  const [reports, friendRequests, friendships, authoredPosts, authorCopies] = await Promise.all([
    read("comments", "SELECT comment_id, reporter_id, dismissed, counts, resolved_at FROM reports"),
    read("users", "SELECT id, from_id, to_id, status FROM friend_requests"),
    read("users", "SELECT user_id, friend_id FROM friendships"),
    read("users", "SELECT post_id, author_id FROM authored_posts"),
    read("posts", "SELECT id FROM authors"),
  ]);
  const [blocks, mutes, everRelated, notificationTimes] = await Promise.all([
    read("users", "SELECT blocker_id, blocked_id, created_at FROM blocks"),
    read("users", "SELECT muter_id, muted_id, created_at FROM mutes"),
    read("notifications", "SELECT user_id, other_id FROM relations"),
    read("notifications", "SELECT type, recipient_id, actor_id, created_at FROM notifications"),
  ]);
  const alive = new Set(users.map((u) => String(u.id)));
  const postIds = new Set(posts.map((p) => String(p.id)));
  const tally = (
    rows: Array<Record<string, unknown>>,
    key: (row: Record<string, unknown>) => string,
  ) => {
    const map = new Map<string, number>();
    for (const row of rows) map.set(key(row), (map.get(key(row)) ?? 0) + 1);
    return map;
  };

  for (const db of ["users", "posts", "comments"] as const) {
    report(
      `${db} outbox drained`,
      await read(db, "SELECT id, type FROM outbox WHERE sent_at IS NULL"),
    );
  }

  // Counts equal the rows they count.
  const followers = tally(follows, (f) => String(f.followee_id));
  const following = tally(follows, (f) => String(f.follower_id));
  const authored = tally(posts, (p) => String(p.author_id));
  report(
    "follower, following and post counts equal their rows",
    users.filter(
      (u) =>
        Number(u.follower_count) !== (followers.get(String(u.id)) ?? 0) ||
        Number(u.following_count) !== (following.get(String(u.id)) ?? 0) ||
        Number(u.post_count) !== (authored.get(String(u.id)) ?? 0),
    ),
  );
  const likeRows = tally(likes, (l) => String(l.post_id));
  const shareRows = tally(
    posts.filter((p) => p.shared_post_id),
    (p) => String(p.shared_post_id),
  );
  const visibleComments = tally(
    comments.filter((c) => c.status === "visible"),
    (c) => String(c.post_id),
  );
  report(
    "like, share and comment counts equal their rows",
    posts.filter(
      (p) =>
        Number(p.like_count) !== (likeRows.get(String(p.id)) ?? 0) ||
        Number(p.share_count) !== (shareRows.get(String(p.id)) ?? 0) ||
        Number(p.comment_count) !== (visibleComments.get(String(p.id)) ?? 0),
    ),
  );

  // Each post is in the timeline of its author and of every follower who followed before it was
  // written, and in no one else's (a celebrity's posts are merged at read time instead).
  const followSince = new Map(
    follows.map((f) => [`${f.follower_id}>${f.followee_id}`, String(f.created_at)]),
  );
  const entries = new Set(timeline.map((t) => `${t.user_id}:${t.post_id}`));
  report(
    "no timeline row for a reader who does not follow the author",
    timeline.filter(
      (t) => t.user_id !== t.author_id && !followSince.has(`${t.user_id}>${t.author_id}`),
    ),
  );
  const missing: unknown[] = [];
  for (const post of posts) {
    const author = String(post.author_id);
    if (!entries.has(`${author}:${post.id}`))
      missing.push({ reader: author, post: post.id, own: true });
    if ((followers.get(author) ?? 0) >= options.celebrityFollowers) continue;
    for (const f of follows) {
      if (
        f.followee_id === author &&
        String(f.created_at) < String(post.created_at) &&
        !entries.has(`${f.follower_id}:${post.id}`)
      ) {
        missing.push({ reader: f.follower_id, post: post.id });
      }
    }
  }
  report("every follower has every post written after they followed", missing);

  // Cascades: nothing refers to a deleted account or a deleted post.
  report(
    "no post of a deleted account",
    posts.filter((p) => !alive.has(String(p.author_id))),
  );
  report(
    "no like by a deleted account",
    likes.filter((l) => !alive.has(String(l.user_id))),
  );
  report(
    "no like on a deleted post",
    likes.filter((l) => !postIds.has(String(l.post_id))),
  );
  report(
    "no timeline row of a deleted account",
    timeline.filter((t) => !alive.has(String(t.user_id)) || !alive.has(String(t.author_id))),
  );
  report(
    "no comment by a deleted account or on a deleted post",
    comments.filter((c) => !alive.has(String(c.author_id)) || !postIds.has(String(c.post_id))),
  );
  report(
    "no report by a deleted account",
    reports.filter((r) => !alive.has(String(r.reporter_id))),
  );
  report("no follow, friend request or friendship of a deleted account", [
    ...follows.filter(
      (f) => !alive.has(String(f.follower_id)) || !alive.has(String(f.followee_id)),
    ),
    ...friendRequests.filter((r) => !alive.has(String(r.from_id)) || !alive.has(String(r.to_id))),
    ...friendships.filter((f) => !alive.has(String(f.user_id)) || !alive.has(String(f.friend_id))),
  ]);
  report("no post of a deleted account counted, and no copy of its profile kept", [
    ...authoredPosts.filter((p) => !alive.has(String(p.author_id))),
    ...authorCopies.filter((a) => !alive.has(String(a.id))),
  ]);
  report(
    "no notification for or from a deleted account, or about a deleted post",
    notifications.filter(
      (n) =>
        !alive.has(String(n.recipient_id)) ||
        !alive.has(String(n.actor_id)) ||
        (n.post_id !== null && !postIds.has(String(n.post_id))),
    ),
  );

  // Exactly one like notification per standing like of someone else's post, none for a taken-back one.
  const likeNotes = tally(
    notifications.filter((n) => n.type === "like"),
    (n) => `${n.actor_id}:${n.post_id}`,
  );
  const authorOf = new Map(posts.map((p) => [String(p.id), String(p.author_id)]));
  const standing = likes.filter((l) => authorOf.get(String(l.post_id)) !== l.user_id);
  // Pairs that ever had a block or a mute between them are held to the rules of those instead
  // (below): a block takes back the like notifications between the two, a mute stops new ones.
  const related = new Set(
    everRelated.flatMap((r) => [`${r.user_id}:${r.other_id}`, `${r.other_id}:${r.user_id}`]),
  );
  report(
    "one like notification per like",
    standing.filter(
      (l) =>
        !related.has(`${l.user_id}:${authorOf.get(String(l.post_id))}`) &&
        (likeNotes.get(`${l.user_id}:${l.post_id}`) ?? 0) !== 1,
    ),
  );
  const standingKeys = new Set(standing.map((l) => `${l.user_id}:${l.post_id}`));
  report(
    "no like notification without its like",
    [...likeNotes.keys()].filter((key) => !standingKeys.has(key)),
  );

  // Blocks and mutes (DESIGN.md "Safety and moderation"): a block leaves no follow, pending friend
  // request or friendship between the two, and nobody hears from an account across a block, nor a
  // muter from the muted account, after the block or mute was made.
  const pair = (a: unknown, b: unknown) => `${a}:${b}`;
  const blockedPairs = new Map<string, string>();
  for (const b of blocks) {
    blockedPairs.set(pair(b.blocker_id, b.blocked_id), String(b.created_at));
    const other = pair(b.blocked_id, b.blocker_id);
    const since = String(b.created_at);
    if (!blockedPairs.has(other) || String(blockedPairs.get(other)) > since)
      blockedPairs.set(other, since);
  }
  report("no follow, pending friend request or friendship across a block", [
    ...follows.filter((f) => blockedPairs.has(pair(f.follower_id, f.followee_id))),
    ...friendRequests.filter(
      (r) => r.status === "pending" && blockedPairs.has(pair(r.from_id, r.to_id)),
    ),
    ...friendships.filter((f) => blockedPairs.has(pair(f.user_id, f.friend_id))),
  ]);
  const mutedSince = new Map(
    mutes.map((m) => [pair(m.muter_id, m.muted_id), String(m.created_at)]),
  );
  report(
    "no notification from a blocking, blocked or muted account made after the block or mute",
    notificationTimes.filter((n) => {
      const key = pair(n.recipient_id, n.actor_id);
      const since = blockedPairs.get(key) ?? mutedSince.get(key);
      return since !== undefined && String(n.created_at) > since;
    }),
  );

  // A run lasts minutes, well within a day: however often a pair followed and unfollowed, and however
  // the follow events were retried or raced, the followed account was told once.
  const followNotes = tally(
    notifications.filter((n) => n.type === "follow"),
    (n) => `${n.actor_id}:${n.recipient_id}`,
  );
  report(
    "at most one follow notification per follower and account a day",
    [...followNotes].filter(([, n]) => n > 1),
  );

  const commentIds = new Set(comments.map((c) => String(c.id)));
  // A comment is hidden by three standing reports of accounts old enough to count; a reporter's
  // deletion takes theirs back.
  const openReports = tally(
    reports.filter((r) => !Number(r.dismissed) && Number(r.counts) && r.resolved_at === null),
    (r) => String(r.comment_id),
  );
  report(
    "a hidden comment has three open reports",
    comments.filter(
      (c) => c.status === "hidden" && (openReports.get(String(c.id)) ?? 0) < REPORTS_TO_HIDE,
    ),
  );
  report(
    "no notification about a deleted comment",
    notifications.filter((n) => n.comment_id !== null && !commentIds.has(String(n.comment_id))),
  );

  // A suspended account's write was never stored: nothing by it is newer than the moment the
  // service that owns it learnt of the suspension (its copy's recorded_at; the users service, which
  // owns the suspension, from suspended_at itself). A write that raced the suspension to the owner
  // may predate that moment, and stands.
  const [postsSuspended, commentsSuspended, usersSuspended] = await Promise.all([
    read("posts", "SELECT id, recorded_at FROM suspended_users WHERE suspended = 1"),
    read("comments", "SELECT id, recorded_at FROM suspended_users WHERE suspended = 1"),
    read(
      "users",
      "SELECT id, suspended_at AS recorded_at FROM users WHERE suspended_at IS NOT NULL",
    ),
  ]);
  const since = (rows: Array<Record<string, unknown>>) =>
    new Map(rows.map((row) => [String(row.id), String(row.recorded_at)]));
  const [postsSince, commentsSince, usersSince] = [
    since(postsSuspended),
    since(commentsSuspended),
    since(usersSuspended),
  ];
  const after = (when: Map<string, string>, who: unknown, at: unknown) => {
    const from = when.get(String(who));
    return from !== undefined && String(at) > from;
  };
  const [suspendedComments, suspendedLikes] = await Promise.all([
    read("comments", "SELECT id, author_id, created_at FROM comments"),
    read("posts", "SELECT post_id, user_id, created_at FROM likes"),
  ]);
  report("a suspended account's write was never stored", [
    ...posts.filter((p) => after(postsSince, p.author_id, p.created_at)),
    ...suspendedLikes.filter((l) => after(postsSince, l.user_id, l.created_at)),
    ...suspendedComments.filter((c) => after(commentsSince, c.author_id, c.created_at)),
    ...follows.filter((f) => after(usersSince, f.follower_id, f.created_at)),
  ]);

  // Media: no stored object without its row, no image shown (a post's, an avatar) without its
  // object, and nothing left half-deleted once the sweeps have run.
  const [mediaRows, postMedia, avatars] = await Promise.all([
    read("media", "SELECT id, deleting_at FROM media"),
    read(
      "posts",
      "SELECT posts.id AS post_id, json_extract(item.value, '$.id') AS media_id FROM posts, json_each(posts.media) AS item",
    ),
    read("users", "SELECT id, avatar_url FROM users WHERE avatar_url LIKE '/media/%'"),
  ]);
  const rowIds = new Set(mediaRows.map((row) => String(row.id)));
  const objects = new Set(options.objects ?? rowIds);
  report(
    "no stored object without a metadata row",
    [...objects].filter((key) => !rowIds.has(key)).map((key) => ({ key })),
  );
  const shown = (id: string) => objects.has(id) && rowIds.has(id);
  report(
    "no post shows an image without its object and row",
    postMedia.filter((row) => !shown(String(row.media_id))),
  );
  report(
    "no avatar is an image without its object and row",
    avatars.filter((row) => !shown(String(row.avatar_url).slice("/media/".length))),
  );
  report(
    "no upload is left half-deleted",
    mediaRows.filter((row) => row.deleting_at !== null),
  );

  // Dead letters: each inbox keeps exactly the poison it was sent, and nothing a consumer should
  // have applied. A missing table fails here like any other unreadable one.
  // Search: once settled, the index holds exactly the visible original posts and the existing
  // accounts (as they are named now), and the blocks that stand.
  const [indexed, visible, indexedUsers, accounts, searchBlocks, standingBlocks] =
    await Promise.all([
      read("search", "SELECT post_id AS id FROM indexed_posts"),
      read("posts", "SELECT id FROM posts WHERE status = 'visible' AND shared_post_id IS NULL"),
      read("search", "SELECT user_id AS id, handle, display_name FROM indexed_users"),
      read("users", "SELECT id, handle, display_name FROM users"),
      read("search", "SELECT user_id, other_id FROM relations WHERE kind = 'block' AND active = 1"),
      read("users", "SELECT blocker_id AS user_id, blocked_id AS other_id FROM blocks"),
    ]);
  const difference = (
    label: string,
    have: Array<Record<string, unknown>>,
    want: Array<Record<string, unknown>>,
    key: (row: Record<string, unknown>) => string,
  ) => {
    const held = new Set(have.map(key));
    const wanted = new Set(want.map(key));
    report(label, [
      ...[...held].filter((k) => !wanted.has(k)).map((k) => ({ extra: k })),
      ...[...wanted].filter((k) => !held.has(k)).map((k) => ({ missing: k })),
    ]);
  };
  difference("the search index holds exactly the visible original posts", indexed, visible, (r) =>
    String(r.id),
  );
  difference(
    "the search index holds exactly the existing accounts, as they are named now",
    indexedUsers,
    accounts,
    (r) => `${r.id}|${r.handle}|${r.display_name}`,
  );
  difference(
    "the search index's copy of blocks is the blocks that stand",
    searchBlocks,
    standingBlocks,
    (r) => `${r.user_id}>${r.other_id}`,
  );

  for (const db of ["users", "posts", "comments", "notifications", "media", "search"] as const) {
    const letters = await read(
      db,
      `SELECT id, queue, instr(body, '${POISON_MARK}') > 0 AS poison FROM dead_letters`,
    );
    report(
      `${db} dead letters are only injected poison`,
      letters.filter((letter) => !Number(letter.poison)),
    );
    const poison = letters.filter((letter) => Number(letter.poison)).length;
    if (poison !== options.poisonPerInbox)
      report(`every poison message sent to the ${db} inbox is kept as a dead letter`, [
        { expected: options.poisonPerInbox, found: poison },
      ]);
  }
  return violations;
}

/** A signed-in person the workload left standing, as the feed reads see them. */
export type Reader = { handle: string; token: string };

type FeedItem = {
  id: string;
  author: { id: string };
  sharedPost?: { author: { id: string } } | null;
};

/**
 * The read side of blocks and mutes, through the public gateway once the mesh has settled: no home
 * feed or public timeline read by a signed-in reader shows a post (or a share of one) whose author
 * the reader blocks or is blocked by, no home feed one by an account the reader mutes, and no
 * user timeline one across a block.
 */
export async function checkReads(
  sql: Sql,
  get: (path: string, token: string) => Promise<{ status: number; body: unknown }>,
  readers: readonly Reader[],
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const [users, blocks, mutes] = await Promise.all([
    sql("users", "SELECT id, handle FROM users"),
    sql("users", "SELECT blocker_id, blocked_id FROM blocks"),
    sql("users", "SELECT muter_id, muted_id FROM mutes"),
  ]);
  const idOf = new Map(users.map((u) => [String(u.handle), String(u.id)]));
  const handleOf = new Map(users.map((u) => [String(u.id), String(u.handle)]));
  const across = new Set(
    blocks.flatMap((b) => [`${b.blocker_id}:${b.blocked_id}`, `${b.blocked_id}:${b.blocker_id}`]),
  );
  const muting = new Set(mutes.map((m) => `${m.muter_id}:${m.muted_id}`));
  const authorsOf = (item: FeedItem) => [item.author.id, item.sharedPost?.author.id ?? ""];
  for (const reader of readers) {
    const me = idOf.get(reader.handle);
    if (!me) continue;
    const read = async (path: string) => {
      let reply = await get(path, reader.token);
      // The run's injected outages go on after it settles: a 503 is asked again, as a client would.
      for (let tries = 1; reply.status === 503 && tries < 5; tries++)
        reply = await get(path, reader.token);
      // A token the workload ended (a logout raced a step) reads nothing; anything else must answer.
      if (reply.status === 401) return [];
      if (reply.status !== 200) {
        violations.push({
          invariant: "a settled read answers",
          detail: { path, status: reply.status },
        });
        return [];
      }
      return (reply.body as { items: FeedItem[] }).items;
    };
    for (const item of await read("/v1/feed?limit=100")) {
      if (authorsOf(item).some((author) => across.has(`${me}:${author}`)))
        violations.push({
          invariant: "no home feed shows a post across a block",
          detail: { reader: me, post: item.id },
        });
      if (authorsOf(item).some((author) => muting.has(`${me}:${author}`)))
        violations.push({
          invariant: "no home feed shows a post of a muted account",
          detail: { reader: me, post: item.id },
        });
    }
    for (const item of await read("/v1/posts?limit=100")) {
      if (authorsOf(item).some((author) => across.has(`${me}:${author}`)))
        violations.push({
          invariant: "no public timeline shows a post across a block",
          detail: { reader: me, post: item.id },
        });
    }
    for (const key of across) {
      const [from, to] = key.split(":");
      const handle = handleOf.get(to ?? "");
      if (from !== me || !handle) continue;
      if ((await read(`/v1/users/${handle}/posts?limit=100`)).length > 0)
        violations.push({
          invariant: "no user timeline shows posts across a block",
          detail: { reader: me, author: to },
        });
    }
  }
  return violations;
}
