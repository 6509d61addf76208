import { workerTestConfig } from "@flock/testing/vitest";

// The posts service does not run in these tests: its binding answers like a service that is down,
// and the indexing tests hand the domain the posts it would read.
export default workerTestConfig(import.meta.dirname, { absentServices: ["POSTS"] });
