import {
  consumeInbox,
  createDb,
  faultsOf,
  replayDeadLetters,
  storeDeadLetters,
  withFaults,
} from "@flock/kit";
import { bindings } from "./bindings";
import { deadLetters, inboxFailures, processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { handleResolver } from "./users";

export { NotificationsService } from "./service";

export default {
  async queue(batch, rawEnv) {
    const env = withFaults(rawEnv, bindings);
    const db = createDb(env.DB);
    if (batch.queue.endsWith("-dlq"))
      return storeDeadLetters(batch, db, { deadLetters, failures: inboxFailures });
    await consumeInbox(batch, {
      inbox: "notifications",
      db,
      processed: processedEvents,
      failures: inboxFailures,
      faults: faultsOf(env),
      handle: (event) => applyEvent(db, event, handleResolver(env.USERS, event.requestId)),
    });
  },
  /** Every minute: dead letters marked for replay go back to the inbox. */
  async scheduled(_controller, rawEnv) {
    const env = withFaults(rawEnv, bindings);
    await replayDeadLetters(createDb(env.DB), deadLetters, env.NOTIFICATIONS_INBOX);
  },
} satisfies ExportedHandler<Env>;
