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
import { celebrityFollowers, relay, usersAudience } from "./service";

export { PostsService } from "./service";

export default {
  async queue(batch, rawEnv, ctx) {
    const env = withFaults(rawEnv, bindings);
    const db = createDb(env.DB);
    if (batch.queue.endsWith("-dlq"))
      return storeDeadLetters(batch, db, { deadLetters, failures: inboxFailures });
    await consumeInbox(batch, {
      inbox: "posts",
      db,
      processed: processedEvents,
      failures: inboxFailures,
      faults: faultsOf(env),
      handle: (event) =>
        applyEvent(db, event, {
          audience: usersAudience(env, { requestId: event.requestId, actorId: null }),
          celebrityFollowers: celebrityFollowers(env),
        }),
    });
    ctx.waitUntil(relay(env));
  },
  /** Every minute: re-send outbox events whose first send failed, and dead letters marked for replay. */
  async scheduled(_controller, rawEnv) {
    const env = withFaults(rawEnv, bindings);
    await relay(env);
    await replayDeadLetters(createDb(env.DB), deadLetters, env.POSTS_INBOX);
  },
} satisfies ExportedHandler<Env>;
