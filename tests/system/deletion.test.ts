// A deleted account writes nothing: writes fired with the account's token while DELETE /v1/me runs
// are refused or cleaned up, so once the mesh settles nothing of the account remains anywhere.
import { describe, expect, it } from "vitest";
import { workers } from "../../scripts/workers.ts";
import { checkInvariants, type Database, drain, type Sql } from "../faults/invariants.ts";
import type { Reply, User } from "./client";
import { useFlock } from "./harness";

const flock = useFlock();

const PASSWORD = "correct horse battery";
const ROUNDS = 3;

type D1 = {
  prepare(query: string): {
    bind(...values: string[]): { all(): Promise<{ results: Array<Record<string, unknown>> }> };
  };
};

/** Reads any service's database directly, as the fault runs do. */
async function databases() {
  const handles = {} as Record<Database, D1>;
  for (const worker of workers) {
    if (!worker.database) continue;
    const env = (await flock.server.getWorker(worker.name).getEnv()) as { DB: D1 };
    handles[worker.database.replace("-db", "") as Database] = env.DB;
  }
  const rows = async (database: Database, query: string, ...values: string[]) =>
    (
      await handles[database]
        .prepare(query)
        .bind(...values)
        .all()
    ).results;
  const sql: Sql = (database, query) => rows(database, query);
  return { rows, sql };
}

/** Where an account can leave something behind, by database: each query counts what it left. */
const traces: Array<[Database, string]> = [
  ["users", "SELECT count(*) AS n FROM users WHERE id = ?1"],
  ["users", "SELECT count(*) AS n FROM follows WHERE follower_id = ?1 OR followee_id = ?1"],
  ["users", "SELECT count(*) AS n FROM friend_requests WHERE from_id = ?1 OR to_id = ?1"],
  ["users", "SELECT count(*) AS n FROM friendships WHERE user_id = ?1 OR friend_id = ?1"],
  ["users", "SELECT count(*) AS n FROM authored_posts WHERE author_id = ?1"],
  ["posts", "SELECT count(*) AS n FROM posts WHERE author_id = ?1"],
  ["posts", "SELECT count(*) AS n FROM likes WHERE user_id = ?1"],
  ["posts", "SELECT count(*) AS n FROM timeline_entries WHERE user_id = ?1 OR author_id = ?1"],
  ["posts", "SELECT count(*) AS n FROM authors WHERE id = ?1"],
  ["posts", "SELECT count(*) AS n FROM idempotency_keys WHERE user_id = ?1"],
  ["posts", "SELECT count(*) AS n FROM follow_states WHERE follower_id = ?1 OR followee_id = ?1"],
  ["comments", "SELECT count(*) AS n FROM comments WHERE author_id = ?1"],
  ["comments", "SELECT count(*) AS n FROM reports WHERE reporter_id = ?1"],
  [
    "notifications",
    "SELECT count(*) AS n FROM notifications WHERE recipient_id = ?1 OR actor_id = ?1",
  ],
];

async function expectStatus(reply: Promise<Reply>, status: number) {
  const { status: actual, body } = await reply;
  expect(actual, JSON.stringify(body)).toBe(status);
  return body;
}

/** A fresh account with something everywhere: posts, a like, a comment, a share, a report, follows, friends. */
async function busyAccount(
  round: number,
  others: { author: User; friend: User; post: string; comment: string },
) {
  const { api } = flock;
  const leaver = await api.signUp(`leaver${round}`);
  const { author, friend, post, comment } = others;
  await expectStatus(api.put(`/v1/users/${author.handle}/follow`, leaver.token), 200);
  await expectStatus(api.put(`/v1/users/${leaver.handle}/follow`, author.token), 200);
  const request = await expectStatus(
    api.post(`/v1/users/${friend.handle}/friend-request`, {}, leaver.token),
    201,
  );
  await expectStatus(
    api.post(`/v1/me/friend-requests/${request.id}/accept`, {}, friend.token),
    200,
  );
  await expectStatus(api.post(`/v1/users/${author.handle}/friend-request`, {}, leaver.token), 201);
  await expectStatus(
    api.request("POST", "/v1/posts", {
      token: leaver.token,
      body: { body: `before I go @${author.handle}`, tags: [`gone${round}`] },
      headers: { "idempotency-key": `before-${round}` },
    }),
    201,
  );
  await expectStatus(api.put(`/v1/posts/${post}/like`, leaver.token), 200);
  await expectStatus(
    api.post(`/v1/posts/${post}/comments`, { body: `bye @${author.handle}` }, leaver.token),
    201,
  );
  await expectStatus(api.post(`/v1/posts/${post}/shares`, {}, leaver.token), 201);
  await expectStatus(
    api.post(`/v1/comments/${comment}/report`, { reason: "rude" }, leaver.token),
    202,
  );
  return leaver;
}

/** Every kind of write the account can make, as requests its token sends while it is deleted. */
function racingWrites(
  leaver: User,
  round: number,
  others: { author: User; friend: User; bystander: User; post: string; comment: string },
) {
  const { api } = flock;
  const { author, bystander, post, comment } = others;
  return [
    () => api.put(`/v1/posts/${post}/like`, leaver.token),
    () =>
      api.post(`/v1/posts/${post}/comments`, { body: `racing @${author.handle}` }, leaver.token),
    () => api.post(`/v1/posts/${post}/shares`, { body: "racing share" }, leaver.token),
    () =>
      api.post(
        "/v1/posts",
        { body: `racing post @${author.handle}`, tags: [`race${round}`] },
        leaver.token,
      ),
    () => api.post(`/v1/comments/${comment}/report`, { reason: "racing" }, leaver.token),
    () => api.put(`/v1/users/${bystander.handle}/follow`, leaver.token),
    () => api.post(`/v1/users/${bystander.handle}/friend-request`, {}, leaver.token),
  ];
}

describe("an account deleted while its token keeps writing", () => {
  it("leaves nothing of itself anywhere once the mesh settles", { timeout: 240_000 }, async () => {
    const { api } = flock;
    const [author, friend, bystander, commenter] = [
      await api.signUp("stays"),
      await api.signUp("friend"),
      await api.signUp("bystander"),
      await api.signUp("commenter"),
    ];
    const post = (
      await expectStatus(
        api.post("/v1/posts", { body: "the post everyone touches", tags: ["kept"] }, author.token),
        201,
      )
    ).id as string;
    const comment = (
      await expectStatus(
        api.post(`/v1/posts/${post}/comments`, { body: "kept comment" }, commenter.token),
        201,
      )
    ).id as string;
    const others = { author, friend, bystander, post, comment };

    const leavers: User[] = [];
    const statuses: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const leaver = await busyAccount(round, others);
      leavers.push(leaver);
      const writes = racingWrites(leaver, round, others);
      // Three waves of every write: one sent just before the deletion, so its writes race it in
      // the services, and two a few milliseconds into it, which mostly land after it.
      const wave = (delayMs: number) =>
        writes.map(async (write) => {
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          return write();
        });
      const early = wave(0);
      const deletion = api.request("DELETE", "/v1/me", {
        token: leaver.token,
        body: { password: PASSWORD },
      });
      const replies = await Promise.all([deletion, ...early, ...wave(3), ...wave(8)]);
      expect(replies[0]?.status).toBe(204);
      statuses.push(...replies.slice(1).map((reply) => reply.status));
    }
    // Refused or accepted, never a server error; and some were accepted, or nothing raced.
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.filter((status) => status < 300).length).toBeGreaterThan(0);

    const { rows, sql } = await databases();
    const tick = async () => {
      for (const worker of workers)
        if (worker.database)
          await flock.server.getWorker(worker.name).scheduled({ cron: "* * * * *" });
    };
    await drain(sql, 120_000, tick);

    const left: Array<{ leaver: string; database: Database; query: string; n: number }> = [];
    for (const leaver of leavers) {
      for (const [database, query] of traces) {
        const n = Number((await rows(database, query, leaver.id))[0]?.n);
        if (n !== 0) left.push({ leaver: leaver.handle, database, query, n });
      }
    }
    expect(left).toEqual([]);
    // What the others see: counts without the leavers, no tags of theirs, no notification from them.
    const seen = await expectStatus(api.get(`/v1/posts/${post}`, author.token), 200);
    expect(seen).toMatchObject({ likeCount: 0, shareCount: 0, commentCount: 1 });
    const profile = await expectStatus(api.get(`/v1/users/${author.handle}`), 200);
    expect(profile).toMatchObject({ followerCount: 0, followingCount: 0, postCount: 1 });
    const tags = (await expectStatus(api.get("/api/tags"), 200)).tags as string[];
    expect(tags.filter((tag) => /^(gone|race)\d$/.test(tag))).toEqual([]);
    const notes = await expectStatus(api.get("/v1/notifications?limit=100", author.token), 200);
    const leaverIds = new Set(leavers.map((leaver) => leaver.id));
    expect(
      notes.items.filter(
        (note: { actor: { id: string } | null }) => !note.actor || leaverIds.has(note.actor.id),
      ),
    ).toEqual([]);
    const comments = await expectStatus(api.get(`/v1/posts/${post}/comments`), 200);
    expect(comments.items.map((item: { id: string }) => item.id)).toEqual([comment]);
    // And every promise the fault runs check holds across the whole system.
    expect(await checkInvariants(sql, { celebrityFollowers: 10_000, poisonPerInbox: 0 })).toEqual(
      [],
    );
  });
});
