import { consumeInbox, createDb } from "@flock/kit";
import { processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { celebrityFollowers, relay, usersAudience } from "./service";

export { PostsService } from "./service";

export default {
  async queue(batch, env, ctx) {
    const db = createDb(env.DB);
    await consumeInbox(batch, {
      inbox: "posts",
      db,
      processed: processedEvents,
      handle: (event) =>
        applyEvent(db, event, {
          audience: usersAudience(env, { requestId: event.requestId, actorId: null }),
          celebrityFollowers: celebrityFollowers(env),
        }),
    });
    ctx.waitUntil(relay(env));
  },
  async scheduled(_controller, env) {
    await relay(env);
  },
} satisfies ExportedHandler<Env>;
