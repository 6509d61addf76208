import { createDb, serviceHandlers } from "@flock/kit";
import { applyEvent, releaseStale } from "./attachments";
import { deadLetters, inboxFailures, processedEvents } from "./db/schema";
import type { Env } from "./env";
import { sweep } from "./media";
import { images } from "./serve";

export { MediaService } from "./service";

// Media produce no events: no outbox to relay.
const handlers = serviceHandlers<Env>({
  inbox: "media",
  tables: { processed: processedEvents, failures: inboxFailures, deadLetters },
  ownInbox: (env) => env.MEDIA_INBOX,
  handle: (db, _env, event) => applyEvent(db, event),
});

/** Deletes the objects, then the rows, of what events and the clean-up released. */
async function sweepAll(env: Env): Promise<void> {
  const scope = { db: createDb(env.DB), bucket: env.BUCKET };
  while ((await sweep(scope)) > 0);
}

export default {
  fetch: images.fetch,
  async queue(batch, env, ctx) {
    await handlers.queue(batch, env, ctx);
    ctx.waitUntil(sweepAll(env));
  },
  // Every minute: what the inbox handlers do, then uploads left unattached for a day go.
  async scheduled(controller, env) {
    await handlers.scheduled(controller, env);
    await releaseStale(createDb(env.DB));
    await sweepAll(env);
  },
} satisfies ExportedHandler<Env>;
