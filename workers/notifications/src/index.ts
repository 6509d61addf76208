import { describeError, eventContext, serviceHandlers } from "@flock/kit";
import { deadLetters, inboxFailures, processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { pushNotifications } from "./live";
import { handleResolver, livePush, profileLookup } from "./users";

export { NotificationsService } from "./service";

// Notifications produce no events: no outbox to relay.
const { queue, scheduled } = serviceHandlers<Env>({
  inbox: "notifications",
  tables: { processed: processedEvents, failures: inboxFailures, deadLetters },
  ownInbox: (env) => env.NOTIFICATIONS_INBOX,
  handle: (db, env, event) => applyEvent(db, event, handleResolver(env.USERS, eventContext(event))),
  // Best effort, after the batch: a failed push is logged, never retried (the list has it).
  settled: (db, env, events) => {
    const [first] = events;
    const ctx = first ? eventContext(first) : { requestId: "live", actorId: null };
    return pushNotifications(db, livePush(env, ctx), profileLookup(env.USERS, ctx), events).catch(
      (error) =>
        console.error(
          JSON.stringify({
            level: "warn",
            message: "live push failed",
            error: describeError(error),
          }),
        ),
    );
  },
});

export default { queue, scheduled } satisfies ExportedHandler<Env>;
