// The gateway as test runners start it (scripts/test-flock.ts): the real worker, its env wrapped
// with the test hooks of @flock/testing/hooks (fault injection). Never deployed.
import { testHandler } from "@flock/testing/hooks";
import { bindings } from "../src/bindings";
import worker from "../src/index";

export default testHandler(worker, bindings);
