// The shape of the mesh's costs, beside the throughput rounds: how a feed read scales with the
// accounts a reader follows, how composing scales with the author's followers, and how many D1 round
// trips each route makes per service.
import { startTestFlock } from "../../scripts/test-flock.ts";
import { workers } from "../../scripts/workers.ts";
import {
  type Graph,
  makeUsers,
  seedAuthors,
  seedCelebrities,
  seedFollowStates,
  seedFollows,
  seedGraph,
  seedPosts,
  seedUsers,
  type User,
} from "./graph.ts";
import { load } from "./load.ts";
import { settle } from "./settle.ts";
import { log, mesh, type Running, SECRET, token } from "./targets.ts";

/** The points of the curves and how long each is driven. */
export type CurveSize = { curveSeconds: number; following: number[]; followers: number[] };

/**
 * Home feed p50 for readers who follow 10 ... 5,000 accounts (fanned out to them), the same for
 * readers who follow 10 ... 5,000 celebrities (merged at read time, decision 0013), and compose p99
 * for authors with 10 ... 50,000 followers.
 */
export async function scaleCurves({ server, origin }: Running, size: CurveSize) {
  const dbs = await mesh.databases(server);
  const biggest = Math.max(...size.following);
  const followees = makeUsers(biggest, "fe");
  const readers = makeUsers(size.following.length, "rd");
  const celebrities = makeUsers(biggest, "ce");
  const fansOfCelebrities = makeUsers(size.following.length, "rc");
  const fans = makeUsers(Math.max(...size.followers), "fan");
  const authors = makeUsers(size.followers.length, "au");
  const accounts = [
    ...followees,
    ...readers,
    ...celebrities,
    ...fansOfCelebrities,
    ...fans,
    ...authors,
  ];
  log(`\n== scale curves: seeding ${accounts.length} more accounts`);
  await seedUsers(dbs.users, accounts);
  await seedAuthors(dbs.posts, accounts);
  // One post per celebrity, merged at read time: the readers following them have no timeline rows.
  // Older than the followees' posts, so the fanned-out readers' pages lie above the merge's edge and
  // hold their posts (a page stops at the 1,000th newest merged post: decision 0013).
  const celebrityPosts = makeUsers(celebrities.length, "pc").map((p, i) => ({
    id: p.id,
    authorId: celebrities[i]?.id ?? "",
  }));
  // One post per followee, with a fresh time-sortable id each.
  const posts = makeUsers(followees.length, "p").map((p, i) => ({
    id: p.id,
    authorId: followees[i]?.id ?? "",
  }));
  const follows: Graph["follows"] = [];
  const timeline: Graph["timeline"] = [];
  for (const [i, reader] of readers.entries()) {
    const count = size.following[i] ?? 0;
    for (const followee of followees.slice(0, count)) follows.push([reader.id, followee.id]);
    for (const post of posts.slice(0, count)) timeline.push([reader.id, post.id, post.authorId]);
  }
  for (const [i, author] of authors.entries()) {
    for (const fan of fans.slice(0, size.followers[i] ?? 0)) follows.push([fan.id, author.id]);
  }
  // Spread evenly over all of them, old and new: a reader following 10 finds few in a page's merge.
  for (const [i, reader] of fansOfCelebrities.entries()) {
    const count = size.following[i] ?? 1;
    const step = Math.max(1, Math.floor(celebrities.length / count));
    for (const celebrity of celebrities.filter((_, j) => j % step === 0).slice(0, count))
      follows.push([reader.id, celebrity.id]);
  }
  await seedFollows(dbs.users, follows);
  // The posts service's copy of who follows whom, as the follow events would have written it.
  await seedFollowStates(dbs.posts, follows);
  await seedPosts(dbs.posts, [...posts, ...celebrityPosts], timeline);
  await seedCelebrities(dbs.posts, celebrityPosts);

  /** Feed p50 for each reader in turn, keyed by how many accounts that reader follows. */
  async function feedCurve(readersBySize: User[], what: string) {
    const p50s: Record<string, number> = {};
    for (const [i, reader] of readersBySize.entries()) {
      const [result] = await load("mesh (curves)", {
        url: origin,
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
    await settle(30_000);
    const [result] = await load("mesh (curves)", {
      url: origin,
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
    await settle(30_000); // let the load's own fan-out drain
    const started = Date.now();
    const created = (await (
      await fetch(`${origin}/v1/posts`, {
        method: "POST",
        headers: { authorization: `Bearer ${authorToken}`, "content-type": "application/json" },
        body: JSON.stringify({ body: "who sees this last?" }),
      })
    ).json()) as { id: string };
    for (;;) {
      const feedPage = (await (
        await fetch(`${origin}/v1/feed?limit=50`, {
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
export async function meterQueries(graph: Graph) {
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
    "post page": (i: number) => ({
      path: `/v1/posts/${graph.posts[i]?.id}`,
      init: { headers: { authorization: `Bearer ${tokens[i]}` } },
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
