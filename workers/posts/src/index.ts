import { eventContext, serviceHandlers } from "@flock/kit";
import { deadLetters, inboxFailures, outbox, processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { celebrityFollowers, service, usersAudience } from "./service";

export { PostsService } from "./service";

// A new post's live push leaves with the request that wrote it (PostsService), not from this inbox:
// post.created reaches the inbox only when a fan-out is left to do (decision 0018).
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
});

export default { queue, scheduled } satisfies ExportedHandler<Env>;
