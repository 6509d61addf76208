// `npm run bench`: the cost of the mesh, measured side by side in one run on this machine.
//
//   npm run bench                      the default graph (5,000 users), 15 s per load run
//   npm run bench -- --quick           1,000 users, shorter runs (about 3 minutes in all)
//   npm run bench -- --large           20,000 users
//   npm run bench -- --json out.json   also write the figures as JSON
//
// For each target (the mesh of five workers; the same code composed into one worker; a hello-world
// worker as the machine's ceiling) it starts the target with wrangler's test harness (workerd, no
// dev-server proxy), seeds the same graph, and drives the DeathStarBench social-network mix (60% home
// feed reads, 30% user timeline reads, 10% compose, 10-item pages) with autocannon from a separate
// process. Then it measures, on the mesh, how a feed read scales with the accounts a reader follows
// and how composing scales with the author's followers.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sign } from "hono/jwt";
import pLimit from "p-limit";
import { createTestHarness } from "wrangler";
import { startTestFlock } from "../../scripts/test-flock.ts";
import { devConfigs, workers } from "../../scripts/workers.ts";
import {
  type Graph,
  makeUsers,
  type SqlDb,
  seedAuthors,
  seedCelebrities,
  seedFollowStates,
  seedFollows,
  seedGraph,
  seedPosts,
  seedUsers,
  sessionOf,
  socialGraph,
  type User,
} from "./graph.ts";
import type { Plan, Route, RouteResult } from "./load.ts";

// Production-like: warn-level logs, no request.cf lookup, no telemetry.
process.env.WRANGLER_LOG ??= "warn";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

const root = path.resolve(import.meta.dirname, "../..");
const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean" },
    large: { type: "boolean" },
    json: { type: "string" },
    connections: { type: "string" },
    duration: { type: "string" },
    "skip-curves": { type: "boolean" },
  },
});
const size = flags.quick
  ? {
      users: 1000,
      posts: 3,
      duration: 8,
      connections: 30,
      curveSeconds: 5,
      followers: [10, 1000, 50000],
      following: [10, 100, 1000, 5000],
    }
  : flags.large
    ? {
        users: 20000,
        posts: 3,
        duration: 20,
        connections: 50,
        curveSeconds: 8,
        followers: [10, 1000, 50000],
        following: [10, 100, 1000, 5000],
      }
    : {
        users: 5000,
        posts: 3,
        duration: 15,
        connections: 50,
        curveSeconds: 6,
        followers: [10, 1000, 50000],
        following: [10, 100, 1000, 5000],
      };

if (flags.connections) size.connections = Number(flags.connections);
if (flags.duration) size.duration = Number(flags.duration);

const SECRET = "bench-secret-0123456789abcdef0123456789";
const log = (message: string) => process.stderr.write(`${message}\n`);

async function token(user: User): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  // As packages/kit's issueToken signs them: flock's issuer and audience are required.
  const claims = { sub: user.id, handle: user.handle, sid: sessionOf(user) };
  return sign(
    { ...claims, iss: "flock", aud: "flock-api", iat: now, exp: now + 3600 },
    SECRET,
    "HS256",
  );
}

/** Runs a load plan in a child process and returns its per-route results. */
function load(plan: Plan): Promise<RouteResult[]> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "flock-bench-")), "plan.json");
  writeFileSync(file, JSON.stringify(plan));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(import.meta.dirname, "load.ts"), file], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out) as RouteResult[])
        : reject(new Error(`load exited ${code}`)),
    );
  });
}

type Target = {
  name: string;
  start: () => ReturnType<typeof createTestHarness>;
  /** The D1 databases to seed, from the started target. */
  databases: (
    server: ReturnType<typeof createTestHarness>,
  ) => Promise<{ users: SqlDb; posts: SqlDb }>;
};

async function migrateAll(
  server: ReturnType<typeof createTestHarness>,
  bindings: Array<[worker: string, binding: string]>,
) {
  for (const [worker, binding] of bindings)
    await server.getWorker(worker).applyD1Migrations(binding);
}

const mesh: Target = {
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
    await migrateAll(
      server,
      workers.flatMap((worker) =>
        worker.database ? [[worker.name, "DB"] as [string, string]] : [],
      ),
    );
    const users = (await server.getWorker("flock-users").getEnv()) as { DB: SqlDb };
    const posts = (await server.getWorker("flock-posts").getEnv()) as { DB: SqlDb };
    return { users: users.DB, posts: posts.DB };
  },
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
    await migrateAll(
      server,
      ["USERS_DB", "POSTS_DB", "COMMENTS_DB", "NOTIFICATIONS_DB"].map((b) => ["flock-monolith", b]),
    );
    const env = (await server.getWorker("flock-monolith").getEnv()) as {
      USERS_DB: SqlDb;
      POSTS_DB: SqlDb;
    };
    return { users: env.USERS_DB, posts: env.POSTS_DB };
  },
};

/** The DeathStarBench social-network mix over the seeded graph: connections split 60/30/10. */
async function mix(
  url: string,
  graph: Graph,
  readers: User[],
  tokens: string[],
): Promise<RouteResult[]> {
  const share = (fraction: number) => Math.max(1, Math.round(size.connections * fraction));
  const routes: Route[] = [
    {
      name: "home feed",
      connections: share(0.6),
      method: "GET",
      paths: readers.map(() => "/v1/feed?limit=10"),
      tokens,
    },
    {
      name: "user timeline",
      connections: share(0.3),
      method: "GET",
      paths: graph.users.slice(0, 2000).map((user) => `/v1/users/${user.handle}/posts?limit=10`),
      tokens: [],
    },
    {
      name: "compose post",
      connections: share(0.1),
      method: "POST",
      paths: readers.map(() => "/v1/posts"),
      tokens,
      body: JSON.stringify({ body: "Benchmarking the mesh, post {n}", tags: ["bench"] }),
    },
  ];
  return load({ url, duration: size.duration, routes });
}

/**
 * One request per reader, so that each reader's session has been checked once, as it has for anyone
 * active within the last minute: the mix then measures that steady state, where the gateway asks the
 * users service about a session once a minute per isolate. Without this nearly every request of a
 * quick run is a reader's first and pays the check (decision 0007 has both figures).
 */
async function checkSessions(origin: string, tokens: string[]): Promise<void> {
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
}

async function runTarget(target: Target, graph: Graph, readers: User[], tokens: string[]) {
  log(
    `\n== ${target.name}: starting and seeding ${graph.users.length} users, ${graph.follows.length} follows, ${graph.timeline.length} timeline rows`,
  );
  const server = target.start();
  const { url } = await server.listen();
  const started = Date.now();
  await seedGraph(await target.databases(server), graph);
  log(`   seeded in ${((Date.now() - started) / 1000).toFixed(1)} s; warming up`);
  await checkSessions(url.origin, tokens);
  await load({
    url: url.origin,
    duration: 2,
    routes: [
      { name: "warm-up", connections: 4, method: "GET", paths: ["/v1/feed?limit=10"], tokens },
    ],
  });
  log(`   driving the mix for ${size.duration} s with ${size.connections} connections`);
  const results = await mix(url.origin, graph, readers, tokens);
  return { server, url, results };
}

/**
 * Home feed p50 for readers who follow 10 ... 5,000 accounts (fanned out to them), the same for
 * readers who follow 10 ... 5,000 celebrities (merged at read time), and compose p99 for authors with
 * 10 ... 50,000 followers.
 */
async function scaleCurves(server: ReturnType<typeof createTestHarness>, url: URL) {
  const dbs = await mesh.databases(server);
  const biggest = Math.max(...size.following);
  const followees = makeUsers(biggest, "fe");
  const readers = makeUsers(size.following.length, "rd");
  const celebrities = makeUsers(biggest, "ce");
  const fansOfCelebrities = makeUsers(size.following.length, "rc");
  const fans = makeUsers(Math.max(...size.followers), "fan");
  const authors = makeUsers(size.followers.length, "au");
  log(`\n== scale curves: seeding ${followees.length + fans.length} more accounts`);
  const accounts = [
    ...followees,
    ...readers,
    ...fans,
    ...authors,
    ...celebrities,
    ...fansOfCelebrities,
  ];
  await seedUsers(dbs.users, accounts);
  await seedAuthors(dbs.posts, accounts);
  const posts = followees.map((followee) => ({ id: "", authorId: followee.id }));
  const graph = socialGraph(0, 0);
  const ulidPosts = makeUsers(posts.length, "p").map((p, i) => ({
    id: p.id,
    authorId: followees[i]?.id ?? "",
  }));
  const follows: Graph["follows"] = [];
  const timeline: Graph["timeline"] = graph.timeline;
  for (const [i, reader] of readers.entries()) {
    const count = size.following[i] ?? 0;
    for (const followee of followees.slice(0, count)) follows.push([reader.id, followee.id]);
    for (const post of ulidPosts.slice(0, count))
      timeline.push([reader.id, post.id, post.authorId]);
  }
  for (const [i, author] of authors.entries()) {
    for (const fan of fans.slice(0, size.followers[i] ?? 0)) follows.push([fan.id, author.id]);
  }
  // One post per celebrity, merged at read time: the readers following them have no timeline rows.
  const celebrityPosts = makeUsers(celebrities.length, "pc").map((p, i) => ({
    id: p.id,
    authorId: celebrities[i]?.id ?? "",
  }));
  // Spread evenly over all of them, old and new: a reader following 10 finds few in a page's merge.
  const celebrityFollows: Graph["follows"] = fansOfCelebrities.flatMap((reader, i) => {
    const step = Math.max(1, Math.floor(celebrities.length / (size.following[i] ?? 1)));
    return celebrities
      .filter((_, j) => j % step === 0)
      .slice(0, size.following[i] ?? 0)
      .map((celebrity): [string, string] => [reader.id, celebrity.id]);
  });
  await seedFollows(dbs.users, [...follows, ...celebrityFollows]);
  await seedFollowStates(dbs.posts, [...follows, ...celebrityFollows]);
  await seedPosts(dbs.posts, [...ulidPosts, ...celebrityPosts], timeline);
  await seedCelebrities(dbs.posts, celebrityPosts);

  /** Feed p50 for each reader in turn, keyed by how many accounts that reader follows. */
  async function feedCurve(readersBySize: User[], what: string) {
    const p50s: Record<string, number> = {};
    for (const [i, reader] of readersBySize.entries()) {
      const [result] = await load({
        url: url.origin,
        duration: size.curveSeconds,
        routes: [
          {
            name: "feed",
            connections: 4,
            method: "GET",
            paths: ["/v1/feed?limit=10"],
            tokens: [await token(reader)],
          },
        ],
      });
      p50s[String(size.following[i])] = result?.p50 ?? Number.NaN;
      log(`   feed, following ${size.following[i]} ${what}: p50 ${result?.p50} ms`);
    }
    return p50s;
  }
  const feed = await feedCurve(readers, "accounts");
  const celebrityFeed = await feedCurve(fansOfCelebrities, "celebrities");

  const compose: Record<string, number> = {};
  const visible: Record<string, number> = {};
  for (const [i, author] of authors.entries()) {
    const followers = size.followers[i] ?? 0;
    const authorToken = await token(author);
    // Let the previous author's fan-out drain first, so each point measures its own author only.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const [result] = await load({
      url: url.origin,
      duration: size.curveSeconds,
      routes: [
        {
          name: "compose",
          connections: 2,
          method: "POST",
          paths: ["/v1/posts"],
          tokens: [authorToken],
          body: JSON.stringify({ body: "scale {n}" }),
        },
      ],
    });
    compose[String(followers)] = result?.p99 ?? Number.NaN;
    // How long until the follower who followed first (the last one any fan-out reaches) sees a new post.
    const last = fans[0] as User;
    const lastToken = await token(last);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // let the load's own fan-out drain
    const started = Date.now();
    const created = (await (
      await fetch(`${url.origin}/v1/posts`, {
        method: "POST",
        headers: { authorization: `Bearer ${authorToken}`, "content-type": "application/json" },
        body: JSON.stringify({ body: "who sees this last?" }),
      })
    ).json()) as { id: string };
    for (;;) {
      const feedPage = (await (
        await fetch(`${url.origin}/v1/feed?limit=50`, {
          headers: { authorization: `Bearer ${lastToken}` },
        })
      ).json()) as {
        items: Array<{ id: string }>;
      };
      if (feedPage.items.some((item) => item.id === created.id)) break;
      if (Date.now() - started > 120_000) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    visible[String(followers)] = (Date.now() - started) / 1000;
    log(
      `   compose, ${followers} followers: p99 ${result?.p99} ms; in the last follower's feed after ${visible[String(followers)]} s`,
    );
  }
  return { feed, celebrityFeed, compose, visible };
}

/**
 * D1 round trips per request and service: the mesh's test entries started with D1_METER set (each
 * RPC method then logs its round trips; see packages/testing/src/hooks.ts), a few requests of each
 * route of the mix, and the logs read back.
 */
async function meterQueries(graph: Graph) {
  const readers = graph.users.slice(0, 10);
  const tokens = await Promise.all(readers.map(token));
  log("\n== D1 round trips per request");
  const server = await startTestFlock({
    "flock-gateway": { JWT_SECRET: SECRET },
    ...Object.fromEntries(
      workers.flatMap((worker) => (worker.database ? [[worker.name, { D1_METER: "on" }]] : [])),
    ),
  });
  const { url } = await server.listen();
  await seedGraph(await mesh.databases(server), graph);
  const routes = {
    "home feed": (i: number) => ({
      path: "/v1/feed?limit=10",
      init: { headers: { authorization: `Bearer ${tokens[i]}` } },
    }),
    "user timeline": (i: number) => ({
      path: `/v1/users/${graph.users[i]?.handle}/posts?limit=10`,
      init: {},
    }),
    "compose post": (i: number) => ({
      path: "/v1/posts",
      init: {
        method: "POST",
        headers: { authorization: `Bearer ${tokens[i]}`, "content-type": "application/json" },
        body: JSON.stringify({ body: `metered ${i}` }),
      },
    }),
  };
  const result: Record<string, Record<string, number>> = {};
  for (const [name, request] of Object.entries(routes)) {
    for (let i = 0; i < 10; i++) {
      const { path: route, init } = request(i % readers.length);
      const headers = {
        ...(init as { headers?: Record<string, string> }).headers,
        "x-request-id": `meter-${name.replaceAll(" ", "-")}-${i}`,
      };
      await (await fetch(`${url.origin}${route}`, { ...init, headers })).text();
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const perRequest = new Map<string, number>();
  for (const entry of server.getLogs()) {
    const text = String((entry as { message?: unknown }).message ?? "");
    if (!text.includes("d1_round_trips")) continue;
    const line = JSON.parse(text) as { service: string; requestId: string; roundTrips: number };
    if (!line.requestId.startsWith("meter-")) continue;
    const key = `${line.requestId.replace(/-\d+$/, "")}|${line.service}|${line.requestId}`;
    perRequest.set(key, (perRequest.get(key) ?? 0) + line.roundTrips);
  }
  for (const [key, roundTrips] of perRequest) {
    const [route = "", service = ""] = key.split("|");
    const name = route.replace("meter-", "").replaceAll("-", " ");
    result[name] ??= {};
    const byService = result[name] as Record<string, number>;
    byService[service] = Math.max(byService[service] ?? 0, roundTrips);
  }
  await server.close();
  for (const [name, byService] of Object.entries(result))
    log(`   ${name}: ${JSON.stringify(byService)}`);
  return result;
}

async function ceiling(): Promise<RouteResult | undefined> {
  log("\n== hello-world ceiling");
  const server = createTestHarness({
    root,
    workers: [{ configPath: "tests/bench/hello/wrangler.toml" }],
  });
  const { url } = await server.listen();
  await load({
    url: url.origin,
    duration: 2,
    routes: [{ name: "warm-up", connections: 4, method: "GET", paths: ["/"], tokens: [] }],
  });
  const [result] = await load({
    url: url.origin,
    duration: size.duration,
    routes: [
      { name: "hello", connections: size.connections, method: "GET", paths: ["/"], tokens: [] },
    ],
  });
  await server.close();
  return result;
}

const graph = socialGraph(size.users, size.posts);
const readers = graph.users.slice(0, 500);
const tokens = await Promise.all(readers.map(token));

const meshRun = await runTarget(mesh, graph, readers, tokens);
const curves = flags["skip-curves"]
  ? {
      feed: {} as Record<string, number>,
      celebrityFeed: {} as Record<string, number>,
      compose: {} as Record<string, number>,
      visible: {} as Record<string, number>,
    }
  : await scaleCurves(meshRun.server, meshRun.url);
await meshRun.server.close();
const monolithRun = await runTarget(monolith, graph, readers, tokens);
await monolithRun.server.close();
const hello = await ceiling();
const queries = await meterQueries(socialGraph(300, 2, 7));

const total = (results: RouteResult[]) =>
  results.reduce((sum, result) => sum + result.throughput, 0);
const worstP99 = (results: RouteResult[]) => Math.max(...results.map((result) => result.p99));
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const figures = {
  machine: `${process.platform} ${process.arch}, node ${process.version}`,
  size: {
    users: size.users,
    follows: graph.follows.length,
    timelineRows: graph.timeline.length,
    durationSeconds: size.duration,
    connections: size.connections,
  },
  mesh_vs_monolith_throughput: round(total(meshRun.results) / total(monolithRun.results)),
  mesh_vs_monolith_p99: round(worstP99(meshRun.results) / worstP99(monolithRun.results)),
  mesh_vs_ceiling_throughput: round(total(meshRun.results) / (hello?.throughput ?? Number.NaN)),
  feed_p50_ratio_5000_vs_10: round(
    (curves.feed["5000"] ?? Number.NaN) / (curves.feed["10"] ?? Number.NaN),
  ),
  celebrity_feed_p50_ratio_5000_vs_10: round(
    (curves.celebrityFeed["5000"] ?? Number.NaN) / (curves.celebrityFeed["10"] ?? Number.NaN),
  ),
  compose_p99_ratio_50000_vs_10: round(
    (curves.compose["50000"] ?? Number.NaN) / (curves.compose["10"] ?? Number.NaN),
  ),
  fanout_50000_seconds: curves.visible["50000"] ?? null,
  max_d1_queries_per_request: Math.max(
    ...Object.values(queries).flatMap((byService) => Object.values(byService)),
  ),
  d1_round_trips_by_route_and_service: queries,
  routes: { mesh: meshRun.results, monolith: monolithRun.results, ceiling: hello },
  feed_p50_ms_by_following: curves.feed,
  feed_p50_ms_by_celebrities_followed: curves.celebrityFeed,
  compose_p99_ms_by_followers: curves.compose,
  seconds_until_last_follower_sees_post: curves.visible,
};

const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
const lines = [
  `\n### flock benchmark (${size.users} users, ${size.connections} connections, ${size.duration} s per run)\n`,
  row([
    "route",
    "mesh req/s",
    "mesh p50 ms",
    "mesh p99 ms",
    "one-worker req/s",
    "one-worker p50 ms",
    "one-worker p99 ms",
  ]),
  row(["---", "---:", "---:", "---:", "---:", "---:", "---:"]),
  ...meshRun.results.map((result, i) => {
    const other = monolithRun.results[i];
    return row([
      result.name,
      round(result.throughput, 0),
      result.p50,
      result.p99,
      round(other?.throughput ?? 0, 0),
      other?.p50 ?? "",
      other?.p99 ?? "",
    ]);
  }),
  row([
    "**all**",
    round(total(meshRun.results), 0),
    "",
    worstP99(meshRun.results),
    round(total(monolithRun.results), 0),
    "",
    worstP99(monolithRun.results),
  ]),
  row([
    "hello (ceiling)",
    round(hello?.throughput ?? 0, 0),
    hello?.p50 ?? "",
    hello?.p99 ?? "",
    "",
    "",
    "",
  ]),
  "",
  row(["ratio", "value", "target"]),
  row(["---", "---:", "---"]),
  row(["mesh / one-worker throughput", figures.mesh_vs_monolith_throughput, ">= 0.85"]),
  row(["mesh / one-worker p99", figures.mesh_vs_monolith_p99, "<= 1.25"]),
  row(["mesh / ceiling throughput", figures.mesh_vs_ceiling_throughput, ""]),
  row(["feed p50, following 5,000 / 10", figures.feed_p50_ratio_5000_vs_10, "<= 1.2"]),
  row([
    "feed p50, following 5,000 / 10 celebrities",
    figures.celebrity_feed_p50_ratio_5000_vs_10,
    "<= 1.2",
  ]),
  row(["compose p99, 50,000 followers / 10", figures.compose_p99_ratio_50000_vs_10, "<= 1.3"]),
  row([
    "seconds until the last of 50,000 followers sees a post",
    figures.fanout_50000_seconds ?? "",
    "<= 10",
  ]),
  "",
  row(["following", ...Object.keys(curves.feed)]),
  row(["---", ...Object.keys(curves.feed).map(() => "---:")]),
  row(["feed p50 ms", ...Object.values(curves.feed)]),
  row(["feed p50 ms (celebrities followed)", ...Object.values(curves.celebrityFeed)]),
  "",
  row(["followers", ...Object.keys(curves.compose)]),
  row(["---", ...Object.keys(curves.compose).map(() => "---:")]),
  row(["compose p99 ms", ...Object.values(curves.compose)]),
  row(["last follower sees it after s", ...Object.values(curves.visible)]),
];
const errors = [...meshRun.results, ...monolithRun.results].reduce(
  (sum, result) => sum + result.non2xx + result.errors,
  0,
);
lines.push("", `non-2xx responses or errors during the mixes: ${errors}`);
process.stdout.write(`${lines.join("\n")}\n`);
if (flags.json) writeFileSync(flags.json, `${JSON.stringify(figures, null, 2)}\n`);
