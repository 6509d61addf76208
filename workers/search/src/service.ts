import { WorkerEntrypoint } from "cloudflare:workers";
import { type CallContext, ReindexPage, type SearchQuery, type SearchRpc } from "@flock/contracts";
import {
  checkHealth,
  defineService,
  newId,
  parseInput,
  runBatch,
  traceEntrypoint,
} from "@flock/kit";
import type { Env } from "./env";
import { indexPosts, indexUsers } from "./events";
import type { Scope } from "./scope";
import * as search from "./search";

// No outbox: the search service produces no events.
export const service = defineService<Env, Scope>({
  service: "search",
  scope: (db, ctx) => ({ db, ctx }),
});

/** The search service's RPC surface. */
export class SearchService extends WorkerEntrypoint<Env> implements SearchRpc {
  readonly #service = service.attach(this.env, this.ctx);

  searchPosts(ctx: CallContext, query: SearchQuery) {
    return this.#service.read(ctx, (scope) => search.searchPosts(scope, query));
  }
  searchUsers(ctx: CallContext, query: SearchQuery) {
    return this.#service.read(ctx, (scope) => search.searchUsers(scope, query));
  }
  searchTags(ctx: CallContext, query: SearchQuery) {
    return this.#service.read(ctx, (scope) => search.searchTags(scope, query));
  }
  stats(ctx: CallContext) {
    return this.#service.read(ctx, (scope) => search.stats(scope));
  }
  reindex(ctx: CallContext, raw: ReindexPage) {
    return this.#service.write(ctx, async ({ db }) => {
      const page = parseInput(ReindexPage, raw);
      const posts = page.posts ?? [];
      const users = page.users ?? [];
      // As of now, among changes from before revisions; a profile change's own event (revision 1
      // and up) still decides, as the summaries here carry no revision: each committed change's
      // event arrives in the end, and the newest of them stands.
      await runBatch(db, [
        ...indexPosts(
          db,
          posts.map((post) => post.id),
          posts,
        ),
        ...indexUsers(db, users, { eventId: newId(), revision: 0 }),
      ]);
      return { posts: posts.length, users: users.length };
    });
  }
  health() {
    return checkHealth("search", this.env.DB, { producer: false });
  }
}

// Each RPC method is a span of the caller's trace (kit/trace.ts).
traceEntrypoint(SearchService, "search");
