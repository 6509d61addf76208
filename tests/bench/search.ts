// `npm run bench:search`: the search service at 100,000 indexed posts, through the gateway, with
// every worker of the mesh running in wrangler's test harness (workerd, no dev-server proxy):
//   - GET /v1/search latency (p50/p99) for a common word, a rare word, two words and a prefix;
//   - the delay from a post's creation (201) to the first search that finds it, median of 20.
// The corpus is written straight into search-db (the triggers of migrations/0001_fts.sql index each
// row as the events would) and, with the same ids, into posts-db, so that results hydrate as usual.
//
//   npm run bench:search                  100,000 posts, 10 s per route
//   npm run bench:search -- --posts 20000 --duration 5
import { parseArgs } from "node:util";
import type { SqlDb } from "./graph.ts";
import { load } from "./load.ts";
import { log, mesh } from "./targets.ts";

const { values } = parseArgs({
  options: {
    posts: { type: "string", default: "100000" },
    duration: { type: "string", default: "10" },
  },
});
const POSTS = Number(values.posts);
const DURATION = Number(values.duration);
const AUTHORS = 100;
const CHUNK = 10_000;

/** A vocabulary of made-up words; word i is drawn about 1/(i+1) as often as word 0 (Zipf-like). */
const WORDS = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}x`);
const word = (rank: number) => WORDS[rank] ?? "";

type Exec = SqlDb;

/** Rows n in [from, to) as a recursive CTE, so that SQLite makes them without bound parameters. */
function numbers(from: number, to: number) {
  return `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${to})`;
}

/** SQL for a body of `count` words drawn Zipf-like from WORDS (a JSON array bound as ?1). */
function body(count: number) {
  return Array.from(
    { length: count },
    () =>
      // 2000 ^ u for u uniform in [0, 1) is log-uniform, about 1/x: a Zipf-like rank.
      `json_extract(?1, '$[' || (CAST(pow(2000.0, (abs(random()) % 1000000) / 1000000.0) AS INTEGER) - 1) || ']')`,
  ).join(" || ' ' || ");
}

const id = (column: string) => `printf('%026d', ${column})`;
const authorOf = (column: string) => `printf('%026d', 900000000 + (${column}) % ${AUTHORS})`;

async function seed(search: Exec, posts: Exec) {
  const now = Date.now();
  const vocabulary = JSON.stringify(WORDS);
  for (let a = 0; a < AUTHORS; a++) {
    await posts
      .prepare(
        "INSERT INTO authors (id, handle, display_name, avatar_url, updated_at) VALUES (printf('%026d', ?1), ?2, ?2, NULL, ?3)",
      )
      .bind(900000000 + a, `author_${a}`, new Date(now).toISOString())
      .run();
  }
  for (let from = 0; from < POSTS; from += CHUNK) {
    const to = Math.min(POSTS, from + CHUNK);
    await search
      .prepare(
        `${numbers(from, to)} INSERT INTO indexed_posts (post_id, author_id, title, body, tags, tag_list, created_ms)
         SELECT ${id("i")}, ${authorOf("i")}, '', ${body(12)}, 'bench', '["bench"]', ${now} - i * 60000 FROM n`,
      )
      .bind(vocabulary)
      .run();
    await posts
      .prepare(
        `${numbers(from, to)} INSERT INTO posts (id, author_id, body, title, description, tags, shared_post_id, status, like_count, comment_count, share_count, created_at, updated_at)
         SELECT ${id("i")}, ${authorOf("i")}, 'benchmark post ' || i, NULL, NULL, '["bench"]', NULL, 'visible', 0, 0, 0,
           strftime('%Y-%m-%dT%H:%M:%fZ', (${now} - i * 60000) / 1000.0, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM n`,
      )
      .bind()
      .run();
    log(`   seeded ${to} posts`);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const server = mesh.start();
try {
  const { url } = await server.listen();
  const origin = url.origin;
  log(`== search benchmark: ${POSTS} posts, ${DURATION} s per route`);
  await mesh.databases(server);
  const search = ((await server.getWorker("flock-search").getEnv()) as { DB: Exec }).DB;
  const posts = ((await server.getWorker("flock-posts").getEnv()) as { DB: Exec }).DB;
  const started = Date.now();
  await seed(search, posts);
  const counted = await search
    .prepare("SELECT count(*) AS n FROM indexed_posts")
    .bind()
    .first<{ n: number }>();
  log(`   ${counted?.n} posts indexed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const queries = {
    "common word": [word(0), word(1), word(2)],
    "rare word": [word(1500), word(1700), word(1900)],
    "two words": [`${word(3)} ${word(40)}`, `${word(5)} ${word(60)}`],
    prefix: ["w1", "w2", "w3"],
  };
  for (const [name, list] of Object.entries(queries)) {
    const sample = await fetch(
      `${origin}/v1/search?q=${encodeURIComponent(list[0] ?? "")}&limit=20`,
    );
    const page = (await sample.json()) as { items: unknown[] };
    log(`   ${name}: a page holds ${page.items.length} posts (status ${sample.status})`);
  }
  const results = [];
  for (const [name, list] of Object.entries(queries)) {
    const [result] = await load(`search: ${name}`, {
      url: origin,
      duration: DURATION,
      routes: [
        {
          name,
          connections: 4,
          method: "GET",
          paths: list.map((q) => `/v1/search?q=${encodeURIComponent(q)}&limit=20`),
          tokens: [],
        },
      ],
    });
    if (result) results.push(result);
  }

  // Creation to searchable, through the mesh: the post's events go posts -> outbox -> search-inbox.
  const signUp = await fetch(`${origin}/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      handle: "bench_writer",
      email: "bench@example.com",
      password: "correct horse battery",
    }),
  });
  const { token } = (await signUp.json()) as { token: string };
  const delays: number[] = [];
  for (let i = 0; i < 20; i++) {
    const fresh = `fresh${i}z${Date.now().toString(36)}`;
    const created = await fetch(`${origin}/v1/posts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ body: `a new post about ${fresh}` }),
    });
    if (created.status !== 201) throw new Error(`post failed: ${created.status}`);
    const at = Date.now();
    for (;;) {
      const reply = await fetch(`${origin}/v1/search?q=${fresh}`);
      const page = (await reply.json()) as { items: unknown[] };
      if (page.items.length > 0) break;
      if (Date.now() - at > 30_000) throw new Error(`post ${i} not searchable after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    delays.push(Date.now() - at);
  }

  console.log(
    `\nSearch at ${POSTS} indexed posts (GET /v1/search through the gateway, 4 connections, ${DURATION} s each)`,
  );
  console.log("| query | req/s | p50 ms | p99 ms | non-2xx |");
  console.log("|---|---|---|---|---|");
  for (const r of results)
    console.log(`| ${r.name} | ${r.throughput.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
  console.log(
    `\nCreation to searchable (201 to the first search that finds it, polled every 5 ms), 20 posts: median ${median(delays)} ms, min ${Math.min(...delays)} ms, max ${Math.max(...delays)} ms`,
  );
} finally {
  await server.close();
}
