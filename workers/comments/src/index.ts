import { consumeInbox, createDb } from "@flock/kit";
import { processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { relay } from "./service";

export { CommentsService } from "./service";

export default {
  async queue(batch, env, ctx) {
    const db = createDb(env.DB);
    await consumeInbox(batch, {
      inbox: "comments",
      db,
      processed: processedEvents,
      handle: (event) => applyEvent(db, event),
    });
    ctx.waitUntil(relay(env));
  },
  async scheduled(_controller, env) {
    await relay(env);
  },
} satisfies ExportedHandler<Env>;
