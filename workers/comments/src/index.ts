import { serviceHandlers } from "@flock/kit";
import { deadLetters, inboxFailures, outbox, processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { service } from "./service";

export { CommentsService } from "./service";

const { queue, scheduled } = serviceHandlers<Env>({
  inbox: "comments",
  tables: { processed: processedEvents, failures: inboxFailures, deadLetters, outbox },
  ownInbox: (env) => env.COMMENTS_INBOX,
  handle: (db, _env, event) => applyEvent(db, event),
  relay: service.relay,
});

export default { queue, scheduled } satisfies ExportedHandler<Env>;
