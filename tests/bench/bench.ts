// `npm run bench`: the cost of the mesh, of flock's framework and of its event machinery, measured
// side by side in one run on this machine.
//
//   npm run bench                      the default graph (5,000 users), 15 s per load run, 3 rounds
//   npm run bench -- --quick           1,000 users, 4 s runs (about 7 minutes on 2 cores)
//   npm run bench -- --large           20,000 users
//   npm run bench -- --rounds 5        more rounds (at least 3)
//   npm run bench -- --skip-curves     without the scale curves
//   npm run bench -- --markdown out.md also write the report as printed
//   npm run bench -- --json out.json   also write the figures as JSON
//
// It starts every target once (the mesh; the same code composed into one worker; the floor, the
// same database work with nothing else; a hello worker, the ceiling), seeds each with the same graph
// and checks that all answer alike. Then, in each round, it drives each route alone (home feed, user
// timeline, post page, compose) against each target in turn, the DeathStarBench social-network mix
// (60% feed, 30% user timeline, 10% compose) against the mesh and the one worker, and the ceiling,
// waiting for the targets to go quiet after every load that writes. Each ratio is computed per
// round and reported as the median of the rounds with their spread: a drift of the machine's speed
// between two runs moves every target of a round alike. Then it measures, on the mesh, how a feed
// read scales with the accounts a reader follows, how composing scales with the author's followers,
// and the D1 round trips per request and service.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { run } from "../../scripts/run.ts";
import { meterQueries, scaleCurves } from "./curves.ts";
import { socialGraph } from "./graph.ts";
import { load, type Route, type RouteResult, refusals } from "./load.ts";
import { settle, settled } from "./settle.ts";
import {
  assertSameAnswers,
  keepSessionsChecked,
  log,
  type Running,
  startCeiling,
  startTarget,
  type TargetName,
  targets,
  token,
} from "./targets.ts";

// Production-like: warn-level logs, no request.cf lookup, no telemetry.
process.env.WRANGLER_LOG ??= "warn";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean" },
    large: { type: "boolean" },
    json: { type: "string" },
    markdown: { type: "string" },
    connections: { type: "string" },
    duration: { type: "string" },
    rounds: { type: "string" },
    "skip-curves": { type: "boolean" },
  },
});
const size = flags.quick
  ? {
      users: 1000,
      posts: 3,
      duration: 4,
      connections: 30,
      curveSeconds: 5,
      quietMs: 8_000,
      roundQuietMs: 20_000,
    }
  : flags.large
    ? {
        users: 20000,
        posts: 3,
        duration: 20,
        connections: 50,
        curveSeconds: 8,
        quietMs: 60_000,
        roundQuietMs: 120_000,
      }
    : {
        users: 5000,
        posts: 3,
        duration: 15,
        connections: 50,
        curveSeconds: 6,
        quietMs: 45_000,
        roundQuietMs: 90_000,
      };
if (flags.connections) size.connections = Number(flags.connections);
if (flags.duration) size.duration = Number(flags.duration);
// A median of fewer than three rounds is no protection against one slow round.
const rounds = Math.max(3, Number(flags.rounds ?? 3));

// The gateway serves the web app's build as its static assets, and wrangler refuses to start without it.
if (!existsSync(path.resolve(import.meta.dirname, "../../apps/web/dist")))
  await run("npm", ["run", "build", "-w", "@flock/web"]);

const graph = socialGraph(size.users, size.posts);
// The signed-in readers (and authors): few enough that their sessions can be checked again within a
// couple of seconds whenever the gateways' one-minute cache of them runs out during a run.
const readers = graph.users.slice(0, 100);
const tokens = await Promise.all(readers.map(token));

const READS = ["home feed", "user timeline", "post page"] as const;
const ALONE = [...READS, "compose post"] as const;
type RouteName = (typeof ALONE)[number];

/** What each route of the benchmark requests. */
const requests: Record<RouteName, Omit<Route, "name" | "connections">> = {
  "home feed": { method: "GET", paths: readers.map(() => "/v1/feed?limit=10"), tokens },
  "user timeline": {
    method: "GET",
    paths: graph.users.slice(0, 2000).map((user) => `/v1/users/${user.handle}/posts?limit=10`),
    tokens: [],
  },
  "post page": {
    method: "GET",
    paths: graph.posts.slice(0, 2000).map((post) => `/v1/posts/${post.id}`),
    tokens,
  },
  "compose post": {
    method: "POST",
    paths: readers.map(() => "/v1/posts"),
    tokens,
    body: JSON.stringify({ body: "Benchmarking the mesh, post {n}", tags: ["bench"] }),
  },
};
/** A route of the benchmark, driven over `connections` connections. */
const route = (name: RouteName, connections: number): Route => ({
  name,
  connections,
  ...requests[name],
});
const share = (fraction: number) => Math.max(1, Math.round(size.connections * fraction));
/** The DeathStarBench social-network mix over the seeded graph: connections split 60/30/10. */
const mix = [
  route("home feed", share(0.6)),
  route("user timeline", share(0.3)),
  route("compose post", share(0.1)),
];

const running: Running[] = [];
for (const target of targets) running.push(await startTarget(target, graph, tokens));
await assertSameAnswers(running, graph, tokens);
const ceiling = await startCeiling();

type MixTarget = "mesh" | "one worker";
type Round = {
  alone: Record<TargetName, Partial<Record<RouteName, RouteResult>>>;
  mix: Record<MixTarget, RouteResult[]>;
  hello: RouteResult;
};
const measured: Round[] = [];
const drive = (target: string, origin: string, plan: Route[]) =>
  load(target, { url: origin, duration: size.duration, routes: plan });
/** A load against a target, its readers' sessions checked as in the steady state when it signs in. */
async function driveTarget(target: Running, plan: Route[]): Promise<RouteResult[]> {
  if (plan.some((planned) => planned.tokens.length > 0)) await keepSessionsChecked(target, tokens);
  return drive(target.name, target.origin, plan);
}

// Each load should start on quiet targets: after every load that writes, the benchmark waits for the
// relays and consumers it left behind, up to size.quietMs, and longer (size.roundQuietMs) before a
// round, whose reads come before its writes. The report says how often that was not enough.
const quiet = () => settle(size.quietMs);
for (let round = 0; round < rounds; round++) {
  await settle(size.roundQuietMs);
  // Each round starts with the next target, so that none is always the one measured first.
  const order = running.map((_, i) => running[(i + round) % running.length] as Running);
  log(`\n== round ${round + 1} of ${rounds}: ${order.map((target) => target.name).join(", ")}`);
  const [hello] = await drive("hello", ceiling.origin, [
    { name: "hello", connections: size.connections, method: "GET", paths: ["/"], tokens: [] },
  ]);
  log(`   hello: ${Math.round(hello?.throughput ?? 0)} req/s`);
  const alone: Round["alone"] = { mesh: {}, "one worker": {}, floor: {} };
  for (const name of ALONE) {
    for (const target of order) {
      const [result] = await driveTarget(target, [route(name, size.connections)]);
      if (result) alone[target.name][name] = result;
      if (name === "compose post") await quiet();
      log(`   ${target.name}, ${name} alone: ${Math.round(result?.throughput ?? 0)} req/s`);
    }
  }
  const mixed: Partial<Round["mix"]> = {};
  for (const target of order) {
    if (target.name === "floor") continue;
    mixed[target.name] = await driveTarget(target, mix);
    await quiet();
    log(`   ${target.name}, the mix: ${Math.round(total(mixed[target.name] ?? []))} req/s`);
  }
  if (!hello || !mixed.mesh || !mixed["one worker"]) throw new Error("a load run returned nothing");
  measured.push({ alone, mix: { mesh: mixed.mesh, "one worker": mixed["one worker"] }, hello });
}
await ceiling.server.close();
for (const target of running) if (target.name !== "mesh") await target.server.close();

const mesh = running.find((target) => target.name === "mesh") as Running;
const curves = flags["skip-curves"]
  ? {
      feed: {} as Record<string, number>,
      celebrityFeed: {} as Record<string, number>,
      compose: {} as Record<string, number>,
      visible: {} as Record<string, number>,
    }
  : await scaleCurves(mesh, {
      curveSeconds: size.curveSeconds,
      followers: [10, 1000, 50000],
      following: [10, 100, 1000, 5000],
    });
await mesh.server.close();
const queries = await meterQueries(socialGraph(300, 2, 7));

// ---- figures: per round, then the median of the rounds ----

function total(results: RouteResult[]): number {
  return results.reduce((sum, result) => sum + result.throughput, 0);
}
const worstP99 = (results: RouteResult[]) => Math.max(...results.map((result) => result.p99));
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
/** A route's figures over the rounds: the median of each, with the refusals of all rounds summed. */
function medianResult(results: RouteResult[]): RouteResult {
  const of = (field: "requests" | "throughput" | "p50" | "p99") =>
    median(results.map((result) => result[field]));
  return {
    name: results[0]?.name ?? "",
    requests: of("requests"),
    throughput: round(of("throughput"), 1),
    p50: of("p50"),
    p99: of("p99"),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
  };
}
const aloneThroughput = (r: Round, target: TargetName, route: RouteName) =>
  r.alone[target][route]?.throughput ?? Number.NaN;
const geometricMean = (values: number[]) =>
  Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);

/** Each ratio of one round. */
const perRound = {
  mesh_vs_monolith_throughput: (r: Round) => total(r.mix.mesh) / total(r.mix["one worker"]),
  mesh_vs_monolith_p99: (r: Round) => worstP99(r.mix.mesh) / worstP99(r.mix["one worker"]),
  mesh_vs_ceiling_throughput: (r: Round) => total(r.mix.mesh) / r.hello.throughput,
  feed_vs_floor: (r: Round) =>
    aloneThroughput(r, "mesh", "home feed") / aloneThroughput(r, "floor", "home feed"),
  compose_vs_floor: (r: Round) =>
    aloneThroughput(r, "mesh", "compose post") / aloneThroughput(r, "floor", "compose post"),
  compose_vs_feed: (r: Round) =>
    aloneThroughput(r, "mesh", "compose post") / aloneThroughput(r, "mesh", "home feed"),
  // Each read weighs the same, whatever its speed: the geometric mean of the three ratios.
  mesh_vs_monolith_read: (r: Round) =>
    geometricMean(
      READS.map(
        (route) => aloneThroughput(r, "mesh", route) / aloneThroughput(r, "one worker", route),
      ),
    ),
};
type RatioKey = keyof typeof perRound;
const ratioRounds = Object.fromEntries(
  Object.entries(perRound).map(([key, ratio]) => [key, measured.map((r) => round(ratio(r)))]),
) as Record<RatioKey, number[]>;
const ratio = (key: RatioKey) => round(median(ratioRounds[key]));
const spread = Object.fromEntries(
  Object.entries(ratioRounds).map(([key, values]) => [
    key,
    { min: Math.min(...values), max: Math.max(...values), rounds: values },
  ]),
);

const routesAlone = Object.fromEntries(
  targets.map(({ name }) => [
    name,
    Object.fromEntries(
      ALONE.map((route) => [
        route,
        medianResult(measured.flatMap((r) => r.alone[name][route] ?? [])),
      ]),
    ),
  ]),
) as Record<TargetName, Record<RouteName, RouteResult>>;
const mixMedian = (target: MixTarget) =>
  mix.map((_, i) => medianResult(measured.flatMap((r) => r.mix[target][i] ?? [])));
const hello = medianResult(measured.map((r) => r.hello));
// A load that got fewer answers than it had connections measured its latency more than its rate:
// one slow round can then make a ratio 0 or infinite. The report counts them.
const thin = measured.flatMap((r, i) =>
  Object.entries(r.alone).flatMap(([target, byRoute]) =>
    Object.values(byRoute).flatMap((result) =>
      result.requests < size.connections ? [`round ${i + 1}, ${target}, ${result.name} alone`] : [],
    ),
  ),
);
const refused = [...refusals.values()].reduce(
  (sum, seen) => ({ non2xx: sum.non2xx + seen.non2xx, errors: sum.errors + seen.errors }),
  { non2xx: 0, errors: 0 },
);

const figures = {
  machine: `${process.platform} ${process.arch}, node ${process.version}`,
  size: {
    users: size.users,
    follows: graph.follows.length,
    timelineRows: graph.timeline.length,
    durationSeconds: size.duration,
    connections: size.connections,
    rounds,
  },
  mesh_vs_monolith_throughput: ratio("mesh_vs_monolith_throughput"),
  mesh_vs_monolith_p99: ratio("mesh_vs_monolith_p99"),
  mesh_vs_ceiling_throughput: ratio("mesh_vs_ceiling_throughput"),
  feed_vs_floor: ratio("feed_vs_floor"),
  compose_vs_floor: ratio("compose_vs_floor"),
  compose_vs_feed: ratio("compose_vs_feed"),
  mesh_vs_monolith_read: ratio("mesh_vs_monolith_read"),
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
  /** Each ratio's value in every round, and their least and greatest. */
  ratio_spread: spread,
  floor_routes: Object.fromEntries(
    ALONE.map((route) => [route, routesAlone.floor[route].throughput]),
  ),
  routes_alone: {
    mesh: routesAlone.mesh,
    monolith: routesAlone["one worker"],
    floor: routesAlone.floor,
  },
  d1_round_trips_by_route_and_service: queries,
  routes: { mesh: mixMedian("mesh"), monolith: mixMedian("one worker"), ceiling: hello },
  feed_p50_ms_by_following: curves.feed,
  feed_p50_ms_by_celebrities_followed: curves.celebrityFeed,
  compose_p99_ms_by_followers: curves.compose,
  seconds_until_last_follower_sees_post: curves.visible,
  /** How long the run waited for the targets to go quiet after loads that write, and how often in vain. */
  settle: { waitedSeconds: round(settled.waitedMs / 1000, 1), stillBusy: settled.stillBusy },
  non2xx: refused.non2xx,
  errors: refused.errors,
  /** The loads alone that got fewer answers than connections (too short to measure a rate). */
  thin_runs: thin,
  refusals: Object.fromEntries(refusals),
};

// ---- the report ----

const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
/** A throughput's median over the rounds with its least and greatest. */
function rate(results: RouteResult[]): string {
  if (results.length === 0) return "";
  const values = results.map((result) => result.throughput);
  const [low, high] = [Math.min(...values), Math.max(...values)].map((value) => Math.round(value));
  return `${Math.round(median(values))} (${low}–${high})`;
}
function cells(results: RouteResult[]): Array<string | number> {
  if (results.length === 0) return ["", "", ""];
  const middle = medianResult(results);
  return [rate(results), middle.p50, middle.p99];
}
const targetsMix = (r: Round, target: TargetName) =>
  target === "floor"
    ? []
    : [{ ...r.mix[target][0], throughput: total(r.mix[target]) } as RouteResult];
const table = [
  row([
    "route",
    ...targets.flatMap(({ name }) => [`${name} req/s`, `${name} p50 ms`, `${name} p99 ms`]),
  ]),
  row(["---", ...targets.flatMap(() => ["---:", "---:", "---:"])]),
  ...ALONE.map((route) =>
    row([
      `${route}, alone`,
      ...targets.flatMap(({ name }) => cells(measured.flatMap((r) => r.alone[name][route] ?? []))),
    ]),
  ),
  ...mix.map((route, i) =>
    row([
      `${route.name}, in the mix`,
      ...targets.flatMap(({ name }) =>
        cells(name === "floor" ? [] : measured.flatMap((r) => r.mix[name][i] ?? [])),
      ),
    ]),
  ),
  row([
    "**the mix, all routes**",
    ...targets.flatMap(({ name }) => {
      const results = measured.flatMap((r) => targetsMix(r, name));
      const worst = median(
        measured.map((r) => (name === "floor" ? Number.NaN : worstP99(r.mix[name]))),
      );
      return results.length === 0 ? ["", "", ""] : [rate(results), "", worst];
    }),
  ]),
  row(["hello (ceiling)", ...cells(measured.map((r) => r.hello)), "", "", "", "", "", ""]),
];

type Goal = {
  label: string;
  value: number | null;
  target: string;
  met: (value: number) => boolean;
};
const atLeast = (bound: number) => (value: number) => value >= bound;
const atMost = (bound: number) => (value: number) => value <= bound;
const ratioGoal = (
  key: RatioKey,
  label: string,
  target: string,
  met: (value: number) => boolean,
) => ({
  label,
  value: figures[key],
  target,
  met,
  spread: `${spread[key]?.min}–${spread[key]?.max}`,
});
const goals: Array<Goal & { spread?: string }> = [
  ratioGoal(
    "mesh_vs_monolith_throughput",
    "mesh / one-worker throughput (mix)",
    ">= 0.85",
    atLeast(0.85),
  ),
  ratioGoal("mesh_vs_monolith_p99", "mesh / one-worker p99 (mix)", "<= 1.25", atMost(1.25)),
  ratioGoal(
    "mesh_vs_ceiling_throughput",
    "mesh / ceiling throughput (mix)",
    ">= 0.3",
    atLeast(0.3),
  ),
  ratioGoal("feed_vs_floor", "mesh / floor, home feed alone", ">= 0.8", atLeast(0.8)),
  ratioGoal("compose_vs_floor", "mesh / floor, compose alone", ">= 0.5", atLeast(0.5)),
  ratioGoal("compose_vs_feed", "mesh compose / mesh feed, alone", ">= 0.5", atLeast(0.5)),
  ratioGoal(
    "mesh_vs_monolith_read",
    "mesh / one worker, the three reads alone",
    ">= 0.9",
    atLeast(0.9),
  ),
  {
    label: "feed p50, following 5,000 / 10",
    value: figures.feed_p50_ratio_5000_vs_10,
    target: "<= 1.2",
    met: atMost(1.2),
  },
  {
    label: "feed p50, following 5,000 / 10 celebrities",
    value: figures.celebrity_feed_p50_ratio_5000_vs_10,
    target: "<= 1.2",
    met: atMost(1.2),
  },
  {
    label: "compose p99, 50,000 followers / 10",
    value: figures.compose_p99_ratio_50000_vs_10,
    target: "<= 1.3",
    met: atMost(1.3),
  },
  {
    label: "seconds until the last of 50,000 followers sees a post",
    value: figures.fanout_50000_seconds,
    target: "<= 10",
    met: atMost(10),
  },
  {
    label: "max D1 round trips per service per request",
    value: figures.max_d1_queries_per_request,
    target: "<= 2",
    met: atMost(2),
  },
];
const known = (value: number | null): value is number => value !== null && Number.isFinite(value);
const lines = [
  `\n### flock benchmark (${size.users} users, ${size.connections} connections, ${size.duration} s per run, ${rounds} interleaved rounds)\n`,
  "req/s: the median of the rounds (least–greatest); p50 and p99: the medians of the rounds.\n",
  ...table,
  "",
  row(["ratio", "median", "rounds (least–greatest)", "target", "met"]),
  row(["---", "---:", "---:", "---", "---"]),
  ...goals.map((goal) =>
    row([
      goal.label,
      known(goal.value) ? goal.value : "",
      goal.spread ?? "",
      goal.target,
      known(goal.value) ? (goal.met(goal.value) ? "yes" : "no") : "not measured",
    ]),
  ),
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
  "",
  `waited ${figures.settle.waitedSeconds} s in all for the targets to go quiet after writes; still busy after ${size.quietMs / 1000} s: ${settled.stillBusy} times`,
  `loads alone with fewer answers than connections (a longer --duration would measure them): ${thin.length}${thin.length > 0 ? ` (${thin.join("; ")})` : ""}`,
  `non-2xx answers: ${refused.non2xx}; connection errors and timeouts: ${refused.errors}`,
  ...[...refusals].map(([key, seen]) => `   ${key}: ${seen.non2xx} non-2xx, ${seen.errors} errors`),
];
process.stdout.write(`${lines.join("\n")}\n`);
if (flags.json) writeFileSync(flags.json, `${JSON.stringify(figures, null, 2)}\n`);
// The report as printed, for docs/PERFORMANCE.md to quote rather than retype.
if (flags.markdown) writeFileSync(flags.markdown, `${lines.join("\n")}\n`);
// A run in which any request was refused measured something else than what it reports.
if (refused.non2xx + refused.errors > 0) {
  log("\nSome requests were not answered with a 2xx: the figures above are not valid.");
  process.exitCode = 1;
}
