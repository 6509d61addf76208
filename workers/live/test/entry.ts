// The live worker as test runners start it (scripts/test-flock.ts): the real worker with the test
// hooks of @flock/testing/hooks. It has no database or queue, so only a FAULTS plan's service
// faults could touch it; the Durable Object class is the real one. Never deployed.
import { testEntrypoint, testHandler } from "@flock/testing/hooks";
import { bindings } from "../src/bindings";
import worker, { LiveService as Real } from "../src/index";

export { UserLive } from "../src/index";
export const LiveService = testEntrypoint(Real, { service: "live", bindings });
export default testHandler(worker, bindings);
