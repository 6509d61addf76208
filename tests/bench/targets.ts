// What the benchmark measures: the mesh, the same code in one worker, the floor (the same database
// work with nothing else) and a hello worker (the ceiling), each started with wrangler's test harness
// (workerd, no dev-server proxy), seeded with the same graph and warmed up, then kept up for every
// round of the run.

import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { sign } from "hono/jwt";
import pLimit from "p-limit";
import { createTestHarness, type TestHarness } from "wrangler";
import { devConfigs, workers } from "../../scripts/workers.ts";
import { type Graph, type SqlDb, seedGraph, sessionOf, type User } from "./graph.ts";
import { load } from "./load.ts";

const root = path.resolve(import.meta.dirname, "../..");
export const SECRET = "bench-secret-0123456789abcdef0123456789";
export const log = (message: string) => process.stderr.write(`${message}\n`);

export async function token(user: User): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  // As packages/kit's issueToken signs them: flock's issuer and audience are required.
  const claims = { sub: user.id, handle: user.handle, sid: sessionOf(user) };
  return sign(
    { ...claims, iss: "flock", aud: "flock-api", iat: now, exp: now + 3600 },
    SECRET,
    "HS256",
  );
}

export type TargetName = "mesh" | "one worker" | "floor";

type Target = {
  name: TargetName;
  start: () => TestHarness;
  /** The D1 databases to seed, migrated, from the started target. */
  databases: (server: TestHarness) => Promise<{ users: SqlDb; posts: SqlDb }>;
  /** Whether the target checks sessions with the users service (and caches the answer). */
  checksSessions: boolean;
};

/** A started, seeded, warmed-up target; `sessionsCheckedAt` is when its readers' sessions last were. */
export type Running = {
  name: TargetName;
  server: TestHarness;
  origin: string;
  checksSessions: boolean;
  sessionsCheckedAt: number;
};

async function migrated(server: TestHarness, worker: string, bindings: string[]) {
  for (const binding of bindings) await server.getWorker(worker).applyD1Migrations(binding);
  return (await server.getWorker(worker).getEnv()) as Record<string, SqlDb>;
}

export const mesh: Target = {
  name: "mesh",
  start: () =>
    createTestHarness({
      root,
      workers: devConfigs.map((configPath, index) =>
        index === 0
          ? { configPath, vars: { LOCAL_RUN: "true" }, secrets: { JWT_SECRET: SECRET } }
          : { configPath },
      ),
    }),
  async databases(server) {
    for (const worker of workers) if (worker.database) await migrated(server, worker.name, ["DB"]);
    const users = (await server.getWorker("flock-users").getEnv()) as { DB: SqlDb };
    const posts = (await server.getWorker("flock-posts").getEnv()) as { DB: SqlDb };
    return { users: users.DB, posts: posts.DB };
  },
  checksSessions: true,
};

const monolith: Target = {
  name: "one worker",
  start: () =>
    createTestHarness({
      root,
      workers: [
        { configPath: "tests/bench/monolith/wrangler.toml", secrets: { JWT_SECRET: SECRET } },
      ],
    }),
  async databases(server) {
    const env = await migrated(server, "flock-monolith", [
      "USERS_DB",
      "POSTS_DB",
      "COMMENTS_DB",
      "NOTIFICATIONS_DB",
      "MEDIA_DB",
      "SEARCH_DB",
    ]);
    return { users: env.USERS_DB as SqlDb, posts: env.POSTS_DB as SqlDb };
  },
  checksSessions: true,
};

const floor: Target = {
  name: "floor",
  start: () =>
    createTestHarness({
      root,
      workers: [{ configPath: "tests/bench/floor/wrangler.toml", secrets: { JWT_SECRET: SECRET } }],
    }),
  async databases(server) {
    const env = await migrated(server, "flock-floor", ["USERS_DB", "POSTS_DB"]);
    return { users: env.USERS_DB as SqlDb, posts: env.POSTS_DB as SqlDb };
  },
  checksSessions: false,
};

/** The targets compared route by route, in the order of the first round. */
export const targets = [mesh, monolith, floor];

/**
 * One request per reader, so that each reader's session has been checked once, as it has for anyone
 * active within the last minute: the runs then measure that steady state, where the gateway asks the
 * users service about a session once a minute per isolate. Without this nearly every request of a
 * quick run is a reader's first and pays the check (decision 0007 has both figures).
 */
async function checkSessions(origin: string, tokens: string[]): Promise<void> {
  const started = Date.now();
  const limit = pLimit(8);
  await Promise.all(
    tokens.map((token) =>
      limit(async () => {
        const response = await fetch(`${origin}/v1/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (!response.ok) throw new Error(`a bench token was refused: ${response.status}`);
        await response.arrayBuffer();
      }),
    ),
  );
  log(`   ${tokens.length} sessions checked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// A gateway isolate asks again about a session it checked a minute ago; a round lasts longer.
const SESSIONS_FRESH_MS = 40_000;

/**
 * Checks the readers' sessions again on a target that caches the answers for a minute, when its
 * last check is older than SESSIONS_FRESH_MS: so every load measures the same steady state.
 */
export async function keepSessionsChecked(target: Running, tokens: string[]): Promise<void> {
  if (!target.checksSessions || Date.now() - target.sessionsCheckedAt < SESSIONS_FRESH_MS) return;
  await checkSessions(target.origin, tokens);
  target.sessionsCheckedAt = Date.now();
}

/** Starts a target, seeds the graph into its databases and warms it up. */
export async function startTarget(
  target: Target,
  graph: Graph,
  tokens: string[],
): Promise<Running> {
  log(`\n== ${target.name}: starting and seeding`);
  const server = target.start();
  const { url } = await server.listen();
  const started = Date.now();
  await seedGraph(await target.databases(server), graph);
  log(`   seeded in ${((Date.now() - started) / 1000).toFixed(1)} s; warming up`);
  const running = {
    name: target.name,
    server,
    origin: url.origin,
    checksSessions: target.checksSessions,
    sessionsCheckedAt: 0,
  };
  await keepSessionsChecked(running, tokens);
  await load(`${target.name} (warm-up)`, {
    url: url.origin,
    duration: 2,
    routes: [
      { name: "warm-up", connections: 4, method: "GET", paths: ["/v1/feed?limit=10"], tokens },
    ],
  });
  return running;
}

/** The hello-world worker: the ceiling of this machine and runner. */
export async function startCeiling(): Promise<{ server: TestHarness; origin: string }> {
  log("\n== hello-world ceiling: starting");
  const server = createTestHarness({
    root,
    workers: [{ configPath: "tests/bench/hello/wrangler.toml" }],
  });
  const { url } = await server.listen();
  await load("hello (warm-up)", {
    url: url.origin,
    duration: 2,
    routes: [{ name: "warm-up", connections: 4, method: "GET", paths: ["/"], tokens: [] }],
  });
  return { server, origin: url.origin };
}

async function answer(origin: string, route: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(`${origin}${route}`, init);
  if (!response.ok) throw new Error(`${origin}${route} answered ${response.status}`);
  return response.json();
}

/** A new post's answer without what differs between two posts written the same way. */
function withoutIdentity(post: unknown): unknown {
  const { id: _, createdAt: __, updatedAt: ___, ...rest } = post as Record<string, unknown>;
  return rest;
}

/**
 * Proves that every target answers the benchmark's requests with the same JSON as the mesh before
 * any load: a feed, a user timeline, a post page and a new post (but its id and times). A floor that
 * answered less would be a lower floor than flock's work.
 */
export async function assertSameAnswers(running: Running[], graph: Graph, tokens: string[]) {
  const reader = tokens[0] ?? "";
  const signedIn = { headers: { authorization: `Bearer ${reader}` } };
  const requests: Array<[name: string, route: string, init: RequestInit]> = [
    ["home feed", "/v1/feed?limit=10", signedIn],
    ["user timeline", `/v1/users/${graph.users[0]?.handle}/posts?limit=10`, {}],
    ["post page", `/v1/posts/${graph.posts[0]?.id}`, signedIn],
  ];
  const compose = {
    method: "POST",
    headers: { ...signedIn.headers, "content-type": "application/json" },
    body: JSON.stringify({ body: "The same post everywhere", tags: ["bench", "Same"] }),
  };
  const answers = await Promise.all(
    running.map(async ({ origin }) => ({
      reads: await Promise.all(requests.map(([, route, init]) => answer(origin, route, init))),
      created: withoutIdentity(await answer(origin, "/v1/posts", compose)),
    })),
  );
  const [expected, ...others] = answers;
  for (const [i, other] of others.entries()) {
    const name = running[i + 1]?.name;
    for (const [j, [route]] of requests.entries())
      if (!isDeepStrictEqual(other.reads[j], expected?.reads[j]))
        throw new Error(
          `${name} answers ${route} unlike the mesh: ${JSON.stringify(other.reads[j])}`,
        );
    if (!isDeepStrictEqual(other.created, expected?.created))
      throw new Error(
        `${name} answers a compose unlike the mesh: ${JSON.stringify(other.created)}`,
      );
  }
  log(`   every target answers the feed, a timeline, a post and a compose as the mesh does`);
}
