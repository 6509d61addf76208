// `npm run seed`: fills a running flock (npm start) with a demo data set through the public API only:
// a few hundred users with a skewed follower graph (a few accounts followed by many), their posts,
// shares, likes and comments. Options: --url http://localhost:8787  --users 300  --seed 42
import { parseArgs } from "node:util";
import { MultiBar, Presets } from "cli-progress";
import pLimit from "p-limit";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.FLOCK_URL ?? "http://localhost:8787" },
    users: { type: "string", default: "300" },
    seed: { type: "string", default: "42" },
  },
});
const base = values.url.replace(/\/$/, "");
const userCount = Number(values.users);
const limit = pLimit(8);

/** A small seeded generator (mulberry32), so the same seed builds the same world. */
let state = Number(values.seed) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const words =
  "edge worker mesh queue flock river morning coffee garden city music light code night travel".split(
    " ",
  );
const tags = ["edge", "workers", "coffee", "music", "travel", "photo", "news", "til"];
const sentence = (n: number) => Array.from({ length: n }, () => pick(words)).join(" ");

type Account = { handle: string; token: string };

async function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.ok)
      return response.status === 204 || response.status === 202 ? null : response.json();
    if (response.status < 500 || attempt === 3) {
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    }
  }
}

try {
  await call("GET", "/v1/health");
} catch (error) {
  console.error(
    `flock does not answer at ${base}: start it with \`npm start\` first (${String(error)})`,
  );
  process.exit(1);
}

const bars = new MultiBar(
  { format: " {step} [{bar}] {value}/{total}", hideCursor: true, clearOnComplete: false },
  Presets.shades_classic,
);
async function step<T>(name: string, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const bar = bars.create(jobs.length, 0, { step: name.padEnd(10) });
  return Promise.all(
    jobs.map((job) =>
      limit(async () => {
        const result = await job();
        bar.increment();
        return result;
      }),
    ),
  );
}

const run = Date.now().toString(36).slice(-4);
const accounts: Account[] = await step(
  "users",
  Array.from({ length: userCount }, (_, i) => async () => {
    const handle = `${pick(words)}_${i}_${run}`;
    const reply = (await call("POST", "/v1/auth/register", undefined, {
      handle,
      email: `${handle}@example.com`,
      password: "flock-demo-password",
      displayName: `${handle.split("_")[0]} ${i}`,
    })) as { token: string };
    return { handle, token: reply.token };
  }),
);

// A skewed graph: account i is followed with a probability that falls off as 1/(i+1), so a handful
// of accounts have most of the followers, as on real networks.
const follows: Array<[Account, Account]> = [];
for (const [i, star] of accounts.entries()) {
  const chance = Math.min(0.9, 3 / (i + 1));
  for (const fan of accounts) if (fan !== star && random() < chance) follows.push([fan, star]);
}
await step(
  "follows",
  follows.map(
    ([fan, star]) =>
      () =>
        call("PUT", `/v1/users/${star.handle}/follow`, fan.token),
  ),
);

const posts = (
  await step(
    "posts",
    accounts.flatMap((author, i) =>
      Array.from({ length: 1 + Math.floor(random() * (i < 10 ? 6 : 3)) }, () => async () => {
        const mention = random() < 0.2 ? ` @${pick(accounts).handle}` : "";
        return (await call("POST", "/v1/posts", author.token, {
          body: `${sentence(8 + Math.floor(random() * 20))}${mention}`,
          ...(random() < 0.3 ? { title: sentence(3) } : {}),
          tags: random() < 0.6 ? [pick(tags)] : [],
        })) as { id: string };
      }),
    ),
  )
).map((post) => post.id);

await step(
  "likes",
  Array.from(
    { length: posts.length * 2 },
    () => () => call("PUT", `/v1/posts/${pick(posts)}/like`, pick(accounts).token),
  ),
);
await step(
  "comments",
  Array.from(
    { length: posts.length },
    () => () =>
      call("POST", `/v1/posts/${pick(posts)}/comments`, pick(accounts).token, {
        body: sentence(6),
      }),
  ),
);
await step(
  "shares",
  Array.from(
    { length: Math.ceil(posts.length / 5) },
    () => () => call("POST", `/v1/posts/${pick(posts)}/shares`, pick(accounts).token, {}),
  ),
);
bars.stop();

const first = accounts[0];
console.log(
  `\nSeeded ${accounts.length} users, ${follows.length} follows, ${posts.length} posts at ${base}.`,
);
console.log(
  `Sign in as @${first?.handle} with the password "flock-demo-password" (every demo account has it).`,
);
