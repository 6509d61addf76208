import { workerTestConfig } from "@flock/testing/vitest";

// The media worker's own tests: workerd with its real local R2 bucket and D1 database.
export default workerTestConfig(import.meta.dirname);
