// The search worker as test runners start it (scripts/test-flock.ts): the real worker, its env wrapped
// with the test hooks of @flock/testing/hooks (fault injection, D1 metering). Never deployed.
import { testEntrypoint, testHandler } from "@flock/testing/hooks";
import { bindings } from "../src/bindings";
import worker, { SearchService as Real } from "../src/index";

export const SearchService = testEntrypoint(Real, { service: "search", bindings });
export default testHandler(worker, bindings);
