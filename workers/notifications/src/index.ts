import { eventContext, serviceHandlers } from "@flock/kit";
import { deadLetters, inboxFailures, processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { handleResolver } from "./users";

export { NotificationsService } from "./service";

// Notifications produce no events: no outbox to relay.
const { queue, scheduled } = serviceHandlers<Env>({
  inbox: "notifications",
  tables: { processed: processedEvents, failures: inboxFailures, deadLetters },
  ownInbox: (env) => env.NOTIFICATIONS_INBOX,
  handle: (db, env, event) => applyEvent(db, event, handleResolver(env.USERS, eventContext(event))),
});

export default { queue, scheduled } satisfies ExportedHandler<Env>;
