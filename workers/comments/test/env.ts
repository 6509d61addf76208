import type { Env as WorkerEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    // Types `exports` from cloudflare:workers: the loopback stubs of the worker's own entrypoints.
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
