import { WorkerEntrypoint } from "cloudflare:workers";
import type { CallContext, MediaHolder, MediaRpc } from "@flock/contracts";
import { checkHealth, defineService, traceEntrypoint } from "@flock/kit";
import * as attachments from "./attachments";
import type { Env } from "./env";
import * as media from "./media";
import type { Scope } from "./scope";
import { images } from "./serve";

export const service = defineService<Env, Scope>({
  service: "media",
  scope: (db, ctx, env) => ({ db, ctx, bucket: env.BUCKET }),
});

/** The media service's RPC surface. Each method validates its call, runs domain logic, and reports a Result. */
export class MediaService extends WorkerEntrypoint<Env> implements MediaRpc {
  readonly #service = service.attach(this.env, this.ctx);

  upload(ctx: CallContext, contentType: string, body: ReadableStream<Uint8Array>) {
    return this.#service.write(ctx, (scope) => media.upload(scope, contentType, body));
  }
  claim(ctx: CallContext, holder: MediaHolder, ids: string[]) {
    return this.#service.write(ctx, (scope) => attachments.claim(scope, holder, ids));
  }
  release(ctx: CallContext, holder: MediaHolder) {
    return this.#service.write(ctx, (scope) => attachments.releaseClaim(scope, holder));
  }
  /** GET /media/:id, forwarded whole by the gateway. */
  override fetch(request: Request) {
    return images.fetch(request, this.env, this.ctx);
  }
  health() {
    return checkHealth("media", this.env.DB, { producer: false });
  }
}

// Each RPC method is a span of the caller's trace (kit/trace.ts).
traceEntrypoint(MediaService, "media");
