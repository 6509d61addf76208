import { describeError, eventContext, serviceHandlers } from "@flock/kit";
import { deadLetters, inboxFailures, outbox, processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { pushNewPosts } from "./live";
import { celebrityFollowers, livePorts, service, usersAudience } from "./service";

export { PostsService } from "./service";

const { queue, scheduled } = serviceHandlers<Env>({
  inbox: "posts",
  tables: { processed: processedEvents, failures: inboxFailures, deadLetters, outbox },
  ownInbox: (env) => env.POSTS_INBOX,
  handle: (db, env, event) =>
    applyEvent(db, event, {
      audience: usersAudience(env, eventContext(event)),
      celebrityFollowers: celebrityFollowers(env),
    }),
  relay: service.relay,
  // Best effort, after the batch: a failed push is logged and retried never (the feed has the post).
  settled: (db, env, events) =>
    pushNewPosts(
      db,
      livePorts(env, { requestId: events[0]?.requestId ?? "live", actorId: null }),
      events,
    ).catch((error) =>
      console.error(
        JSON.stringify({ level: "warn", message: "live push failed", error: describeError(error) }),
      ),
    ),
});

export default { queue, scheduled } satisfies ExportedHandler<Env>;
