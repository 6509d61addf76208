// The benchmark's social graph: made in memory, written straight into the services' D1 databases
// (the public API would spend minutes hashing thousands of passwords), in the shapes the services
// themselves write: users and follows in users-db (the triggers keep the counts), posts, the
// fanned-out timeline rows and the posts service's copy of the follows in posts-db.
import { monotonicFactory } from "ulidx";

/** The slice of a D1 binding the seeding uses, as the harness hands it to Node. */
export type SqlDb = {
  prepare(sql: string): {
    bind(...values: unknown[]): { run(): Promise<unknown>; first<T>(): Promise<T | null> };
  };
};

export type User = { id: string; handle: string };
export type Post = { id: string; authorId: string };
export type Graph = {
  users: User[];
  follows: Array<[follower: string, followee: string]>;
  posts: Post[];
  timeline: Array<[reader: string, postId: string, authorId: string]>;
  /** When the posts were written: the same in every target, so that all answer the same JSON. */
  writtenAt: string;
};

const ulid = monotonicFactory();

/** A seeded generator (mulberry32): the same seed builds the same graph for every target. */
export function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeUsers(count: number, prefix: string): User[] {
  return Array.from({ length: count }, (_, i) => ({ id: ulid(), handle: `${prefix}${i}` }));
}

/**
 * A skewed graph like a real one: each user follows 5 to 40 accounts, picked with a bias towards
 * low indexes (u^3), so a few accounts have thousands of followers and most have a handful.
 * Every user has `postsPerUser` posts, fanned out to their followers as the posts service does.
 */
export function socialGraph(userCount: number, postsPerUser: number, seed = 42): Graph {
  const random = generator(seed);
  const users = makeUsers(userCount, "b");
  const follows: Graph["follows"] = [];
  const followers = new Map<string, string[]>();
  for (const user of users) {
    const wanted = 5 + Math.floor(random() * 36);
    const chosen = new Set<number>();
    for (let tries = 0; chosen.size < wanted && tries < wanted * 4; tries++) {
      const index = Math.floor(userCount * random() ** 3);
      const followee = users[index];
      if (followee && followee !== user) chosen.add(index);
    }
    for (const index of chosen) {
      const followee = users[index] as User;
      follows.push([user.id, followee.id]);
      followers.set(followee.id, [...(followers.get(followee.id) ?? []), user.id]);
    }
  }
  const posts: Post[] = [];
  const timeline: Graph["timeline"] = [];
  for (let round = 0; round < postsPerUser; round++) {
    for (const user of users) {
      const post = { id: ulid(), authorId: user.id };
      posts.push(post);
      timeline.push([user.id, post.id, user.id]);
      for (const fan of followers.get(user.id) ?? []) timeline.push([fan, post.id, user.id]);
    }
  }
  return { users, follows, posts, timeline, writtenAt: new Date().toISOString() };
}

const CHUNK = 2000;

/** Inserts rows through one JSON parameter per statement: thousands of rows per D1 call. */
async function insertRows(db: SqlDb, sql: string, rows: unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    await db
      .prepare(sql)
      .bind(JSON.stringify(rows.slice(start, start + CHUNK)))
      .run();
  }
}

const now = () => new Date().toISOString();

export async function seedUsers(
  db: SqlDb,
  users: User[],
  postCounts: Map<string, number> = new Map(),
) {
  await insertRows(
    db,
    `INSERT INTO users (id, handle, email, display_name, bio, avatar_url, password_hash, follower_count,
       following_count, post_count, created_at, updated_at)
     SELECT value->>0, value->>1, value->>1 || '@bench.example', value->>1, NULL, NULL, 'bench-no-login', 0, 0,
       value->>2, value->>3, value->>3 FROM json_each(?)`,
    users.map((user) => [user.id, user.handle, postCounts.get(user.id) ?? 0, now()]),
  );
  // One signed-in session each, named by the user's own id (see sessionOf): the gateway checks it.
  await insertRows(
    db,
    `INSERT INTO sessions (id, user_id, created_at, last_used_at, user_agent)
     SELECT value->>0, value->>0, value->>1, value->>1, 'flock-bench' FROM json_each(?)`,
    users.map((user) => [user.id, now()]),
  );
}

/** The session seedUsers opened for a user, which the user's bench token names. */
export function sessionOf(user: User): string {
  return user.id;
}

export async function seedFollows(db: SqlDb, follows: Graph["follows"]) {
  await insertRows(
    db,
    `INSERT OR IGNORE INTO follows (id, follower_id, followee_id, created_at)
     SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?)`,
    follows.map(([follower, followee]) => [ulid(), follower, followee, now()]),
  );
}

export async function seedPosts(
  db: SqlDb,
  posts: Post[],
  timeline: Graph["timeline"],
  writtenAt = now(),
) {
  await insertRows(
    db,
    `INSERT INTO posts (id, author_id, body, title, tags, shared_post_id, like_count, comment_count,
       share_count, created_at, updated_at)
     SELECT value->>0, value->>1, 'A benchmark post about the edge.', NULL, '[]', NULL, 0, 0, 0, value->>2, value->>2
     FROM json_each(?)`,
    posts.map((post) => [post.id, post.authorId, writtenAt]),
  );
  await insertRows(
    db,
    `INSERT OR IGNORE INTO timeline_entries (user_id, post_id, author_id)
     SELECT value->>0, value->>1, value->>2 FROM json_each(?) WHERE true`,
    timeline,
  );
}

/** Celebrities' posts as the posts service keeps them: a celebrities row per author, each post merged. */
export async function seedCelebrities(db: SqlDb, posts: Post[]) {
  await insertRows(
    db,
    `INSERT OR IGNORE INTO celebrities (author_id, since) SELECT value->>0, value->>1 FROM json_each(?) WHERE true`,
    [...new Set(posts.map((post) => post.authorId))].map((authorId) => [authorId, now()]),
  );
  await insertRows(
    db,
    `INSERT OR IGNORE INTO merged_posts (post_id, author_id) SELECT value->>0, value->>1 FROM json_each(?) WHERE true`,
    posts.map((post) => [post.id, post.authorId]),
  );
}

/** The posts service's own record of the follows, as the user.followed events would have left it. */
export async function seedFollowStates(db: SqlDb, follows: Graph["follows"]) {
  await insertRows(
    db,
    `INSERT OR IGNORE INTO follow_states (follower_id, followee_id, following, event_id)
     SELECT value->>0, value->>1, 1, value->>2 FROM json_each(?) WHERE true`,
    follows.map(([follower, followee]) => [follower, followee, ulid()]),
  );
}

/** The posts service's replica of author profiles, as user.registered events would have filled it. */
export async function seedAuthors(db: SqlDb, users: User[]) {
  await insertRows(
    db,
    `INSERT OR IGNORE INTO authors (id, handle, display_name, avatar_url, updated_at)
     SELECT value->>0, value->>1, value->>1, NULL, value->>2 FROM json_each(?) WHERE true`,
    users.map((user) => [user.id, user.handle, now()]),
  );
}

export async function seedGraph(dbs: { users: SqlDb; posts: SqlDb }, graph: Graph) {
  const postCounts = new Map<string, number>();
  for (const post of graph.posts)
    postCounts.set(post.authorId, (postCounts.get(post.authorId) ?? 0) + 1);
  await seedUsers(dbs.users, graph.users, postCounts);
  await seedAuthors(dbs.posts, graph.users);
  await seedFollows(dbs.users, graph.follows);
  await seedFollowStates(dbs.posts, graph.follows);
  await seedPosts(dbs.posts, graph.posts, graph.timeline, graph.writtenAt);
}
