import { workerTestConfig } from "@flock/testing/vitest";

// The users and live services do not run in these tests: their bindings answer like services that are down.
export default workerTestConfig(import.meta.dirname, { absentServices: ["USERS", "LIVE"] });
