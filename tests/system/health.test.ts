// GET /v1/health with every worker running: the plain, moderator and operator views, and each alarm
// condition of docs/OPERATIONS.md ("Health and alarms") injected with the test entries' fault plans
// (packages/testing/src/faults.ts): a dead letter, a stuck outbox and a lagging inbox make their
// service degraded, a database that does not answer makes it down, and no error text ever shows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestFlock, type TestVars, testFlockOptions } from "../../scripts/test-flock.ts";
import { client, eventually, type Reply } from "./client";
import { TEST_JWT_SECRET } from "./harness";
import { makeModerator } from "./roles";

const OPERATOR_TOKEN = "operator-token-for-the-health-tests-0123456789";
const SERVICES = ["users", "posts", "comments", "notifications", "media", "search", "live"];
const WITH_DATABASE = SERVICES.filter((service) => service !== "live");

type ServiceHealth = { service: string; status: string; details?: Record<string, unknown> };

const asOperator = { headers: { "flock-operator-token": OPERATOR_TOKEN } };

function byService(reply: Reply): Record<string, ServiceHealth> {
  return Object.fromEntries(
    (reply.body.services as ServiceHealth[]).map((entry) => [entry.service, entry]),
  );
}

/** What no health answer may hold: the text of the errors behind it. */
function expectNoErrorText(reply: Reply) {
  const text = JSON.stringify(reply.body);
  for (const word of ["D1_ERROR", "SQLITE", "connection", "injected", "fault", "Error"])
    expect(text).not.toContain(word);
}

describe("health with all services well", () => {
  const gateway = { JWT_SECRET: TEST_JWT_SECRET, OPERATOR_TOKEN };
  let server: Awaited<ReturnType<typeof startTestFlock>>;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await startTestFlock({ "flock-gateway": gateway });
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("shows anyone each service's status and nothing more", async () => {
    const plain = {
      status: "ok",
      services: SERVICES.map((service) => ({ service, status: "ok" })),
    };
    const signedOut = await api.get("/v1/health");
    expect(signedOut.status).toBe(200);
    expect(signedOut.body).toEqual(plain);
    const member = await api.signUp("member");
    expect((await api.get("/v1/health", member.token)).body).toEqual(plain);
    // A wrong operator token, or one sent where a JWT goes, is the plain view: never a 500.
    const wrong = await api.request("GET", "/v1/health", {
      headers: { "flock-operator-token": `${OPERATOR_TOKEN}-not` },
    });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toEqual(plain);
    const empty = await api.request("GET", "/v1/health", {
      headers: { "flock-operator-token": "" },
    });
    expect(empty.body).toEqual(plain);
  });

  it("shows a moderator and the operator token each service's figures", async () => {
    const moderator = await makeModerator(server, await api.signUp("watcher"));
    const quiet = {
      unsentEvents: 0,
      oldestUnsentAgeMs: null,
      deadLetters: 0,
      oldestUnprocessedAgeMs: null,
    };
    for (const reply of [
      await api.get("/v1/health", moderator.token),
      await api.request("GET", "/v1/health", asOperator),
    ]) {
      expect(reply.status).toBe(200);
      expect(reply.body.status).toBe("ok");
      const services = byService(reply);
      expect(Object.keys(services)).toEqual(SERVICES);
      for (const service of WITH_DATABASE)
        expect(services[service]).toEqual({ service, status: "ok", details: quiet });
      // The live worker has no database: it answers, and has no figures.
      expect(services.live).toEqual({ service: "live", status: "ok" });
    }
  });

  it("refuses a token it did not sign as on every route, operator token or not", async () => {
    const reply = await api.request("GET", "/v1/health", {
      token: "not.a.jwt",
      ...asOperator,
    });
    expect(reply.status).toBe(401);
    expect(reply.headers.get("content-type")).toContain("application/problem+json");
  });

  it("is down, 503, when a service cannot reach its database, and says nothing of why", async () => {
    const vars: TestVars = {
      "flock-gateway": gateway,
      // Every statement the search worker sends fails, as a lost connection does.
      "flock-search": { FAULTS: JSON.stringify({ seed: 3, d1Failure: { match: "", rate: 1 } }) },
    };
    await server.update(testFlockOptions(vars));
    for (const reply of [
      await api.get("/v1/health"),
      await api.request("GET", "/v1/health", asOperator),
    ]) {
      expect(reply.status).toBe(503);
      expect(reply.body.status).toBe("down");
      const services = byService(reply);
      expect(services.search).toEqual({ service: "search", status: "down" });
      for (const service of SERVICES.filter((name) => name !== "search"))
        expect(services[service]?.status).toBe("ok");
      expectNoErrorText(reply);
    }
    // What went wrong is in the search worker's log instead.
    expect(server.getLogs().some((log) => log.message.includes("health check failed"))).toBe(true);
  });
});

describe("health while events are stuck", () => {
  let server: Awaited<ReturnType<typeof startTestFlock>>;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await startTestFlock({
      "flock-gateway": {
        JWT_SECRET: TEST_JWT_SECRET,
        OPERATOR_TOKEN,
        HEALTH_STUCK_MS: "1000",
        HEALTH_LAG_MS: "1000",
      },
      // Every send of the posts outbox fails: its events stay unsent.
      "flock-posts": { FAULTS: JSON.stringify({ seed: 5, queueSendFailure: 1 }) },
      // Every search inbox message fails at once and is retried without delay: it dead-letters.
      "flock-search": {
        FAULTS: JSON.stringify({ seed: 6, consumerFailure: 1, retryDelaySeconds: 0 }),
      },
      // A follow's notification fails to apply, is noted, and waits for its retry (2 s, 4 s ...).
      "flock-notifications": {
        FAULTS: JSON.stringify({ seed: 7, d1Failure: { match: "follow_notices", rate: 1 } }),
      },
    });
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("reports each service with its reason degraded, overall degraded, and still 200", async () => {
    const [author, fan] = [await api.signUp("author"), await api.signUp("fan")];
    expect((await api.put(`/v1/users/${author.handle}/follow`, fan.token)).status).toBe(200);
    expect((await api.post("/v1/posts", { body: "never relayed" }, author.token)).status).toBe(201);

    const reply = await eventually(async () => {
      const health = await api.request("GET", "/v1/health", asOperator);
      const services = byService(health);
      expect(services.posts?.status).toBe("degraded");
      expect(services.search?.status).toBe("degraded");
      expect(services.notifications?.status).toBe("degraded");
      return health;
    }, 45_000);
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe("degraded");
    const services = byService(reply);
    // The stuck outbox: the post's event, unsent for longer than HEALTH_STUCK_MS.
    expect(services.posts?.details).toMatchObject({ deadLetters: 0 });
    expect(services.posts?.details?.unsentEvents).toBeGreaterThan(0);
    expect(services.posts?.details?.oldestUnsentAgeMs).toBeGreaterThan(1000);
    // The dead letters: the registrations the search inbox could never apply.
    expect(services.search?.details?.deadLetters).toBeGreaterThan(0);
    expect(services.search?.details).toMatchObject({ unsentEvents: 0 });
    // The lagging inbox: the follow, waiting longer than HEALTH_LAG_MS, but not dead yet.
    expect(services.notifications?.details).toMatchObject({ deadLetters: 0 });
    expect(services.notifications?.details?.oldestUnprocessedAgeMs).toBeGreaterThan(1000);
    // The users service relayed its events and applied what it got: all clear.
    expect(services.users).toMatchObject({ status: "ok", details: { unsentEvents: 0 } });
    expectNoErrorText(reply);

    // Everyone else hears only the states.
    const plain = await api.get("/v1/health");
    expect(plain.status).toBe(200);
    expect(plain.body.status).toBe("degraded");
    for (const entry of plain.body.services as ServiceHealth[])
      expect(Object.keys(entry).sort()).toEqual(["service", "status"]);
  }, 60_000);
});
