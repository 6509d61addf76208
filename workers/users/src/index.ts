import { serviceHandlers } from "@flock/kit";
import { bindings } from "./bindings";
import { deadLetters, inboxFailures, outbox, processedEvents } from "./db/schema";
import type { Env } from "./env";
import { applyEvent } from "./events";
import { relay } from "./service";

export { UsersService } from "./service";

const { queue, scheduled } = serviceHandlers<Env>({
  inbox: "users",
  bindings,
  tables: { processed: processedEvents, failures: inboxFailures, deadLetters, outbox },
  ownInbox: (env) => env.USERS_INBOX,
  handle: (db, _env, event) => applyEvent(db, event),
  relay,
});

export default { queue, scheduled } satisfies ExportedHandler<Env>;
