// `npm run search:reindex`: rebuilds the search index from the services that own what it holds, for
// a deployment that adds search later or after a change to how the index is built. It pages through
// every post (posts.postsForIndex) and every account (users.profilesForIndex) in id order and hands
// each page to the search service (search.reindex), which writes it as of now: an older event
// arriving later does not undo it, and events keep the index current while it runs.
//
//   npm run search:reindex                 against a running `npm start` (found through wrangler's
//                                          dev registry)
//   npm run search:reindex -- --remote     against the deployed workers (wrangler's remote bindings,
//                                          with the account `wrangler login` gives)
//   add --page <n> for the page size (default 200)
//
// It reports progress as it goes and, at the end, what the index holds.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { CallContext, Page, PostsRpc, Result, SearchRpc, UsersRpc } from "@flock/contracts";
import { getPlatformProxy } from "wrangler";

type Env = { POSTS: PostsRpc; USERS: UsersRpc; SEARCH: SearchRpc };

const { values } = parseArgs({
  options: { remote: { type: "boolean" }, page: { type: "string" } },
});
const remote = values.remote ?? false;
const limit = Number(values.page ?? 200);
if (!Number.isInteger(limit) || limit < 1 || limit > 500)
  throw new Error("--page must be a whole number from 1 to 500");

/** Unwraps a service's answer, or stops with its error. */
function answer<T>(result: Result<T>, what: string): T {
  if (!result.ok) throw new Error(`${what} failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

const ctx = (): CallContext => ({ requestId: `reindex-${Date.now()}`, actorId: null });

/** Pages through one owner's records, handing each page to `write`; reports progress. */
async function each<T>(
  what: string,
  read: (after: string | undefined) => Promise<Result<Page<T>>>,
  write: (items: T[]) => Promise<number>,
): Promise<number> {
  let after: string | undefined;
  let done = 0;
  const started = Date.now();
  for (;;) {
    const page = answer(await read(after), `reading ${what}`);
    done += await write(page.items);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${what}: ${done} read and indexed (${seconds} s)`);
    if (!page.nextCursor) return done;
    after = page.nextCursor;
  }
}

// A worker of the script's own, bound to the three services: locally they are the ones `npm start`
// runs (the dev registry finds them), remotely the deployed ones.
const dir = mkdtempSync(path.join(tmpdir(), "flock-reindex-"));
const configPath = path.join(dir, "wrangler.json");
const service = (binding: string, name: string, entrypoint: string) => ({
  binding,
  service: name,
  entrypoint,
  ...(remote ? { remote: true } : {}),
});
writeFileSync(
  configPath,
  JSON.stringify({
    name: "flock-search-reindex",
    compatibility_date: "2026-11-01",
    services: [
      service("POSTS", "flock-posts", "PostsService"),
      service("USERS", "flock-users", "UsersService"),
      service("SEARCH", "flock-search", "SearchService"),
    ],
  }),
);
const proxy = await getPlatformProxy<Env>({ configPath, persist: false, remoteBindings: remote });
try {
  const { env } = proxy;
  answer(await env.SEARCH.stats(ctx()), "asking the search service (is `npm start` running?)");
  const posts = await each(
    "posts",
    (after) => env.POSTS.postsForIndex(ctx(), { after, limit }),
    async (items) => answer(await env.SEARCH.reindex(ctx(), { posts: items }), "indexing").posts,
  );
  const users = await each(
    "accounts",
    (after) => env.USERS.profilesForIndex(ctx(), { after, limit }),
    async (items) => answer(await env.SEARCH.reindex(ctx(), { users: items }), "indexing").users,
  );
  const held = answer(await env.SEARCH.stats(ctx()), "reading the index");
  console.log(
    `done: ${posts} posts and ${users} accounts read; the index holds ${held.posts} visible posts, ${held.users} accounts and ${held.tags} tags`,
  );
} finally {
  await proxy.dispose();
  rmSync(dir, { recursive: true, force: true });
}
