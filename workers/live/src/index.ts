import type { Env } from "./env";
import { upgrade } from "./service";

export { LiveService } from "./service";
export { UserLive } from "./user-live";

// The gateway reaches the upgrade through LiveService.fetch; the default export answers the same way.
export default { fetch: (request, env) => upgrade(request, env) } satisfies ExportedHandler<Env>;
