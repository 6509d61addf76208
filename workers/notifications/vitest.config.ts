import { workerTestConfig } from "@flock/testing/vitest";

// The users service does not run in these tests: its binding answers like a service that is down.
export default workerTestConfig(import.meta.dirname, { absentServices: ["USERS"] });
