// What deploys is what `wrangler deploy --dry-run --outdir dist` bundles (npm test runs every
// worker's deploy:dry before the system tests). Test hooks enter only through the test entries
// (workers/*/test/entry.ts): none of them may reach a bundle, or a var set on a deployed worker
// could switch fault injection on.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { workers } from "../../scripts/workers.ts";
import { root } from "./harness.ts";

/** Names that exist only in test hooks (packages/testing/src/faults.ts, hooks.ts, mail.ts, replica.ts). */
const TEST_ONLY = [
  "FAULTS",
  "DB_REPLICA",
  "replica replay failed",
  "laggingD1",
  "D1_METER",
  "InjectedFault",
  "d1_round_trips",
  "sent_mail",
  "sentMail",
];

describe("the deployable bundles", () => {
  for (const worker of workers) {
    it(`${worker.name} contains no test hook`, () => {
      // wrangler resolves a relative --outdir from the folder of the worker's config.
      const bundle = path.join(root, path.dirname(worker.config), "dist", "index.js");
      if (!existsSync(bundle)) {
        throw new Error(
          `${path.relative(root, bundle)} is missing: run \`npm run deploy:dry\` first (npm test does).`,
        );
      }
      const code = readFileSync(bundle, "utf8");
      for (const name of TEST_ONLY)
        expect(code.includes(name), `${name} in ${worker.name}`).toBe(false);
    });
  }
});
