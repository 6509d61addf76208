import { ticketUser } from "@flock/contracts";
import type { Env } from "./env";

export { LiveService } from "./service";
export { UserLive } from "./user-live";

/**
 * The upgrade of GET /v1/live, forwarded whole by the gateway: the ticket names its user, whose
 * object redeems it and accepts the socket. Anything else is refused; the gateway words the refusal.
 */
export default {
  async fetch(request, env) {
    const userId = ticketUser(new URL(request.url).searchParams.get("ticket"));
    if (!userId) return new Response(null, { status: 401 });
    return env.USER_LIVE.getByName(userId).fetch(request);
  },
} satisfies ExportedHandler<Env>;
