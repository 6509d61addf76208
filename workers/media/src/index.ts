import type { Env } from "./env";
import { images } from "./serve";

export { MediaService } from "./service";

export default { fetch: images.fetch } satisfies ExportedHandler<Env>;
