import { workerTestConfig } from "@flock/testing/vitest";

export default workerTestConfig(import.meta.dirname, {
  absentServices: ["USERS", "LIVE", "MEDIA"],
});
