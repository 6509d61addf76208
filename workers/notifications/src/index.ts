import { consumeInbox, createDb } from "@flock/kit";
import { processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { handleResolver } from "./users";

export { NotificationsService } from "./service";

export default {
  async queue(batch, env) {
    const db = createDb(env.DB);
    await consumeInbox(batch, {
      inbox: "notifications",
      db,
      processed: processedEvents,
      handle: (event) => applyEvent(db, event, handleResolver(env.USERS, event.requestId)),
    });
  },
} satisfies ExportedHandler<Env>;
