import { eventContext, serviceHandlers } from "@flock/kit";
import { deadLetters, inboxFailures, processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { postsReader } from "./posts";

export { SearchService } from "./service";

// Search produces no events: no outbox to relay.
const { queue, scheduled } = serviceHandlers<Env>({
  inbox: "search",
  tables: { processed: processedEvents, failures: inboxFailures, deadLetters },
  ownInbox: (env) => env.SEARCH_INBOX,
  handle: (db, env, event) => applyEvent(db, event, postsReader(env.POSTS, eventContext(event))),
});

export default { queue, scheduled } satisfies ExportedHandler<Env>;
