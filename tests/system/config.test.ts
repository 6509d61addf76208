import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { workers } from "../../scripts/workers.ts";
import { bindings as commentsBindings } from "../../workers/comments/src/bindings.ts";
import { bindings as gatewayBindings } from "../../workers/gateway/src/bindings.ts";
import { EXAMPLE_JWT_SECRET } from "../../workers/gateway/src/example-secret.ts";
import { bindings as liveBindings } from "../../workers/live/src/bindings.ts";
import { bindings as mediaBindings } from "../../workers/media/src/bindings.ts";
import { bindings as notificationsBindings } from "../../workers/notifications/src/bindings.ts";
import { bindings as postsBindings } from "../../workers/posts/src/bindings.ts";
import { bindings as searchBindings } from "../../workers/search/src/bindings.ts";
import { bindings as usersBindings } from "../../workers/users/src/bindings.ts";
import { root } from "./harness.ts";

type Kind =
  | "d1"
  | "queue"
  | "service"
  | "var"
  | "secret"
  | "ratelimit"
  | "send_email"
  | "durable_object"
  | "r2"
  | "analytics_engine";

/** Each worker's hand-kept Env, by worker name; a new worker must be added here. */
const declared: Record<string, Record<string, Kind>> = {
  "flock-gateway": gatewayBindings,
  "flock-users": usersBindings,
  "flock-posts": postsBindings,
  "flock-comments": commentsBindings,
  "flock-notifications": notificationsBindings,
  "flock-live": liveBindings,
  "flock-media": mediaBindings,
  "flock-search": searchBindings,
};

const devSecrets = readFileSync(path.join(root, ".dev.vars.example"), "utf8")
  .split("\n")
  .filter((line) => /^[A-Z_]+=/.test(line))
  .map((line) => line.split("=")[0]);

describe("each worker's Env matches its wrangler.toml", () => {
  for (const worker of workers) {
    it(`${worker.name}`, () => {
      const config = unstable_readConfig({ config: path.join(root, worker.config) });
      expect(config.name).toBe(worker.name);
      const actual: Record<string, Kind> = {};
      for (const d1 of config.d1_databases) actual[d1.binding] = "d1";
      for (const bucket of config.r2_buckets) actual[bucket.binding] = "r2";
      for (const queue of config.queues.producers ?? []) actual[queue.binding] = "queue";
      for (const service of config.services ?? []) actual[service.binding] = "service";
      for (const limiter of config.ratelimits ?? []) actual[limiter.name] = "ratelimit";
      for (const mail of config.send_email ?? []) actual[mail.name] = "send_email";
      for (const name of Object.keys(config.vars)) actual[name] = "var";
      for (const object of config.durable_objects.bindings) actual[object.name] = "durable_object";
      for (const dataset of config.analytics_engine_datasets)
        actual[dataset.binding] = "analytics_engine";
      const expected = declared[worker.name] ?? {};
      for (const [name, kind] of Object.entries(expected)) {
        if (kind === "secret") {
          expect(devSecrets, `${name} is a secret of ${worker.name}`).toContain(name);
          actual[name] = "secret";
        }
      }
      expect(actual).toEqual(expected);
    });
  }

  it("the gateway knows the example JWT secret it must refuse outside local runs", () => {
    const example = /^JWT_SECRET=(.+)$/m.exec(
      readFileSync(path.join(root, ".dev.vars.example"), "utf8"),
    )?.[1];
    expect(example).toBe(EXAMPLE_JWT_SECRET);
    // Deployments are not local runs unless someone says so.
    const gateway = unstable_readConfig({ config: path.join(root, "wrangler.toml") });
    expect(gateway.vars.LOCAL_RUN).toBe("false");
  });

  it("internal services are not reachable from the internet", () => {
    for (const worker of workers.filter((w) => w.name !== "flock-gateway")) {
      const config = unstable_readConfig({ config: path.join(root, worker.config) });
      expect(config.workers_dev, worker.name).toBe(false);
      expect(config.routes ?? [], worker.name).toEqual([]);
    }
  });
});
