import path from "node:path";
import { workerTestConfig } from "@flock/testing/vitest";

// The gateway's own tests run in workerd with its real wrangler.toml (the repo root's); the services
// are not running, so every call to one answers as an outage would (503).
export default workerTestConfig(import.meta.dirname, {
  configPath: path.join(import.meta.dirname, "../../wrangler.toml"),
  absentServices: ["USERS", "POSTS", "COMMENTS", "NOTIFICATIONS", "LIVE", "MEDIA", "SEARCH"],
  // As deployed, whatever a developer's .dev.vars (written by `npm start`) says.
  bindings: {
    LOCAL_RUN: "false",
    JWT_SECRET: "gateway-test-secret-0123456789abcdef",
    JWT_PREVIOUS_SECRET: "gateway-previous-secret-0123456789ab",
  },
});
