import type { Env as WorkerEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    // Types `exports` from "cloudflare:workers", through which tests call the RPC entrypoint.
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
