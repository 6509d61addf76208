// Security and degradation guarantees of the gateway, driven through the whole running system:
// rate limits (429 with Retry-After, on /v1 and /api), JWT key ids and secret rotation, and RPC
// deadlines under an injected outage (the workers' test entries inject it; see scripts/test-flock.ts).
// docs/SECURITY.md lists what each test proves.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, unstable_readConfig } from "wrangler";
import { startTestFlock, type TestVars, testFlockOptions } from "../../scripts/test-flock.ts";
import { devConfigs, workers } from "../../scripts/workers.ts";
import { client, type Reply, sessionOf, type User } from "./client";
import { LOCAL_RUN_VARS, root, TEST_JWT_SECRET } from "./harness";

type GatewayOptions = { vars?: Record<string, string>; secrets: Record<string, string> };

/** Harness options for every worker, as harness.ts has them, with the gateway's own vars and secrets. */
function optionsWith(gateway: GatewayOptions) {
  return {
    root,
    workers: devConfigs.map((configPath, index) =>
      index === 0
        ? { configPath, ...gateway, vars: { ...LOCAL_RUN_VARS, ...gateway.vars } }
        : { configPath },
    ),
  };
}

/** Every worker, as harness.ts starts them (a local run), with the gateway's own vars and secrets. */
async function startWith(gateway: GatewayOptions) {
  const server = createTestHarness(optionsWith(gateway));
  await server.listen();
  for (const worker of workers) {
    if (worker.database) await server.getWorker(worker.name).applyD1Migrations("DB");
  }
  return server;
}

const gatewayConfig = unstable_readConfig({ config: path.join(root, "wrangler.toml") });

type Limiter = { name: string; simple: { limit: number; period: number } };

function limiter(name: string) {
  const limiters: Limiter[] = gatewayConfig.ratelimits;
  const found = limiters.find((entry) => entry.name === name);
  if (!found) throw new Error(`wrangler.toml has no rate limiter ${name}`);
  return found.simple;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits, if need be, until a fresh minute has begun. Miniflare counts in windows aligned to the
 * clock (as fixed windows are); a burst that starts early in one is counted in that one alone.
 */
async function freshWindow(needMs: number, periodSeconds: number) {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < needMs) await sleep(left + 50);
}

function expectProblem(reply: Reply, status: number) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toContain("application/problem+json");
  expect(reply.body).toMatchObject({ status, title: expect.any(String) });
}

// Key ids as the gateway derives them, computed here independently: the first 8 hex of SHA-256.
const keyIdOf = (secret: string) => createHash("sha256").update(secret).digest("hex").slice(0, 8);

/** The issuer and audience every flock token carries and must carry. */
const FLOCK = { iss: "flock", aud: "flock-api" };

/**
 * An HS256 token signed here, with the `kid` given (hono writes one only for a JSON Web Key), from
 * flock's issuer to its audience unless the claims say otherwise.
 */
function tokenFor(
  claims: Record<string, unknown>,
  secret: string,
  kid: string | null,
): Promise<string> {
  const payload = { ...FLOCK, ...claims };
  const key = { kty: "oct", k: Buffer.from(secret).toString("base64url"), alg: "HS256" };
  return kid === null ? sign(payload, secret, "HS256") : sign(payload, { ...key, kid }, "HS256");
}

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8"));
}

describe("with the gateway as configured, mid-rotation of its JWT secret", () => {
  const CURRENT = "security-test-current-secret-0123456789";
  const PREVIOUS = "security-test-previous-secret-0123456789";
  let server: Awaited<ReturnType<typeof startWith>>;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await startWith({ secrets: { JWT_SECRET: CURRENT, JWT_PREVIOUS_SECRET: PREVIOUS } });
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  describe("JSON Web Tokens", () => {
    const now = () => Math.floor(Date.now() / 1000);

    it("names the signing key in a kid header and expires within a week", async () => {
      const { token } = await api.signUp("kid");
      expect(headerOf(token)).toEqual({ alg: "HS256", typ: "JWT", kid: keyIdOf(CURRENT) });
      const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
      expect(payload.exp - payload.iat).toBe(7 * 24 * 60 * 60);
      expect(payload).toMatchObject(FLOCK);
    });

    it("refuses a well-signed token without flock's issuer and audience, or with others", async () => {
      const { id, handle, token: issued } = await api.signUp("issaud");
      const [exp, sid] = [now() + 3600, sessionOf(issued)];
      const good = await tokenFor({ sub: id, handle, sid, exp }, CURRENT, keyIdOf(CURRENT));
      expect((await api.get("/v1/me", good)).status).toBe(200);
      for (const claims of [
        { iss: undefined },
        { aud: undefined },
        { iss: "another-issuer" },
        { aud: "another-api" },
      ]) {
        const token = await tokenFor(
          { sub: id, handle, sid, exp, ...claims },
          CURRENT,
          keyIdOf(CURRENT),
        );
        expectProblem(await api.get("/v1/me", token), 401);
        const realWorld = await api.request("GET", "/api/user", {
          headers: { authorization: `Token ${token}` },
        });
        expect(realWorld.status).toBe(401);
      }
    });

    it("still accepts a token signed with the previous secret after a rotation", async () => {
      const { id, handle, token } = await api.signUp("rotated");
      const old = await tokenFor(
        { sub: id, handle, sid: sessionOf(token), iat: now() - 3600, exp: now() + 3600 },
        PREVIOUS,
        keyIdOf(PREVIOUS),
      );
      const me = await api.get("/v1/me", old);
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(id);
      const realWorld = await api.request("GET", "/api/user", {
        headers: { authorization: `Token ${old}` },
      });
      expect(realWorld.status).toBe(200);
      expect(realWorld.body.user.username).toBe(handle);
    });

    it("refuses a token whose kid names no key it holds, even with a good signature", async () => {
      const { id, handle, token } = await api.signUp("unknownkid");
      const claims = { sub: id, handle, sid: sessionOf(token), exp: now() + 3600 };
      expectProblem(await api.get("/v1/me", await tokenFor(claims, CURRENT, "00000000")), 401);
      // The kid decides the key: the previous key's id on a token signed with the current secret fails.
      expectProblem(
        await api.get("/v1/me", await tokenFor(claims, CURRENT, keyIdOf(PREVIOUS))),
        401,
      );
    });

    it("checks a token from before key ids against both secrets, and nothing else", async () => {
      const { id, handle, token } = await api.signUp("nokid");
      const claims = { sub: id, handle, sid: sessionOf(token), exp: now() + 3600 };
      expect((await api.get("/v1/me", await tokenFor(claims, CURRENT, null))).status).toBe(200);
      expect((await api.get("/v1/me", await tokenFor(claims, PREVIOUS, null))).status).toBe(200);
      const stranger = "some-other-service-secret-0123456789abcdef";
      expectProblem(await api.get("/v1/me", await tokenFor(claims, stranger, null)), 401);
    });

    it("refuses a token without an expiry, and an expired one signed with the previous secret", async () => {
      const { id, handle, token } = await api.signUp("noexp");
      const sid = sessionOf(token);
      expectProblem(
        await api.get(
          "/v1/me",
          await tokenFor({ sub: id, handle, sid }, CURRENT, keyIdOf(CURRENT)),
        ),
        401,
      );
      const expired = await tokenFor(
        { sub: id, handle, sid, iat: now() - 7200, exp: now() - 60 },
        PREVIOUS,
        keyIdOf(PREVIOUS),
      );
      expectProblem(await api.get("/v1/me", expired), 401);
    });
  });

  describe("rate limits", () => {
    const auth = limiter("AUTH_LIMITER");
    const signIns = limiter("SIGN_IN_LIMITER");
    const writes = limiter("WRITE_LIMITER");

    /** Sends `send()` until the first 429 or `max` times; returns the statuses before it and the 429. */
    async function untilLimited(send: () => Promise<Reply>, max: number) {
      const before: number[] = [];
      for (let i = 0; i < max; i++) {
        const reply = await send();
        if (reply.status === 429) return { before, limited: reply };
        before.push(reply.status);
      }
      return { before, limited: null };
    }

    /** A RealWorld client's view of a spent budget: `limit` 401s, then a 429 in RealWorld's shape. */
    function expectRealWorldLimited(
      before: number[],
      limited: Reply | null,
      { limit, period }: { limit: number; period: number },
    ) {
      expect(before).toEqual(Array(limit).fill(401));
      expect(limited?.status).toBe(429);
      expect(limited?.headers.get("retry-after")).toBe(String(period));
      expect(limited?.body).toEqual({ errors: { request: [expect.any(String)] } });
    }

    it("limits sign-in and sign-up attempts per address: 429 problem+json with Retry-After", async () => {
      const from = { "cf-connecting-ip": "203.0.113.10" };
      await freshWindow(10_000, auth.period);
      // A different account each time: the per-account limit is not what this counts.
      let attempt = 0;
      const { before, limited } = await untilLimited(
        () =>
          api.request("POST", "/v1/auth/login", {
            body: { login: `nobody_here_${attempt++}`, password: "wrong password" },
            headers: from,
          }),
        auth.limit + 1,
      );
      expect(before).toEqual(Array(auth.limit).fill(401));
      if (!limited) throw new Error("never limited");
      expectProblem(limited, 429);
      expect(limited.headers.get("retry-after")).toBe(String(auth.period));
      expect(limited.body.type).toMatch(/rate-limited$/);
      // Sign-up shares the budget with sign-in.
      const register = await api.request("POST", "/v1/auth/register", {
        body: { handle: "limited_one", email: "limited@example.com", password: "12345678" },
        headers: from,
      });
      expectProblem(register, 429);
      // Another address is not held back meanwhile.
      const elsewhere = await api.request("POST", "/v1/auth/login", {
        body: { login: "nobody_here", password: "wrong password" },
        headers: { "cf-connecting-ip": "203.0.113.11" },
      });
      expectProblem(elsewhere, 401);
    }, 60_000);

    it("limits RealWorld sign-ins the same way, in RealWorld's error shape", async () => {
      await freshWindow(10_000, auth.period);
      let attempt = 0;
      const { before, limited } = await untilLimited(
        () =>
          api.request("POST", "/api/users/login", {
            body: { user: { email: `nobody${attempt++}@example.com`, password: "wrong password" } },
            headers: { "cf-connecting-ip": "203.0.113.12" },
          }),
        auth.limit + 1,
      );
      expectRealWorldLimited(before, limited, auth);
    }, 60_000);

    it("counts an IPv6 client by its /56 network, whichever of its /64s it comes from", async () => {
      await freshWindow(10_000, auth.period);
      // Invalid bodies are enough: the limit is counted before the body is read.
      const attempt = (ip: string) =>
        api.request("POST", "/v1/auth/login", { body: {}, headers: { "cf-connecting-ip": ip } });
      let network = 0;
      const { before } = await untilLimited(
        () => attempt(`2001:db8:5:6${(network++).toString(16).padStart(2, "0")}::a`),
        auth.limit + 1,
      );
      expect(before).toEqual(Array(auth.limit).fill(422));
      expect((await attempt("2001:db8:5:6ff:ffff::1")).status).toBe(429);
      expect((await attempt("2001:db8:5:700::a")).status).toBe(422);
    }, 60_000);

    /**
     * A new account, then wrong guesses at it in a fresh window, each from another address, until
     * the first 429 or one past the limit.
     */
    async function guessUntilLimited(
      path: string,
      body: (victim: User, guess: number) => unknown,
      firstHost: number,
    ) {
      const victim = await api.signUp("victim");
      await freshWindow(10_000, signIns.period);
      let guess = 0;
      const outcome = await untilLimited(() => {
        guess += 1;
        return api.request("POST", path, {
          body: body(victim, guess),
          headers: { "cf-connecting-ip": `198.51.100.${firstHost + guess}` },
        });
      }, signIns.limit + 1);
      return { victim, ...outcome };
    }

    it("limits sign-ins per account, from any address, right password or not", async () => {
      // Each guess in another spelling of the same handle.
      const { victim, before, limited } = await guessUntilLimited(
        "/v1/auth/login",
        (victim, guess) => ({
          login: guess % 2 ? victim.handle.toUpperCase() : `@${victim.handle}`,
          password: `guess ${guess}`,
        }),
        0,
      );
      expect(before).toEqual(Array(signIns.limit).fill(401));
      if (!limited) throw new Error("never limited");
      expectProblem(limited, 429);
      expect(limited.headers.get("retry-after")).toBe(String(signIns.period));
      // While over, the right password is not even tried: a right guess looks like a wrong one.
      const right = await api.request("POST", "/v1/auth/login", {
        body: { login: victim.handle, password: "correct horse battery" },
        headers: { "cf-connecting-ip": "192.0.2.50" },
      });
      expectProblem(right, 429);
      // The account's sessions keep working, and other accounts sign in as usual.
      expect((await api.get("/v1/me", victim.token)).status).toBe(200);
      const other = await api.signUp("unaffected");
      const otherLogin = await api.request("POST", "/v1/auth/login", {
        body: { login: other.handle, password: "correct horse battery" },
        headers: { "cf-connecting-ip": "192.0.2.50" },
      });
      expect(otherLogin.status).toBe(200);
    }, 60_000);

    it("limits RealWorld sign-ins per account the same way, in RealWorld's error shape", async () => {
      const { before, limited } = await guessUntilLimited(
        "/api/users/login",
        (victim, guess) => ({
          user: { email: `${victim.handle}@EXAMPLE.com`, password: `guess ${guess}` },
        }),
        100,
      );
      expectRealWorldLimited(before, limited, signIns);
    }, 60_000);

    it("does not limit requests from this machine in a local run, which is how every local run reaches it", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < auth.limit + 5; i++)
        statuses.push((await api.post("/v1/auth/login", {})).status);
      expect(statuses).toEqual(Array(auth.limit + 5).fill(422));
    });

    it("limits writes per user, on /v1 and /api alike, and leaves reads alone", async () => {
      const writer = await api.signUp("writer");
      const other = await api.signUp("bystander");
      const post = (await api.post("/v1/posts", { body: "like me" }, other.token)).body.id;
      const from = (ip: string, token: string) => ({
        token,
        headers: { "cf-connecting-ip": ip },
      });
      await freshWindow(15_000, writes.period);
      const { before, limited } = await untilLimited(
        () => api.request("PUT", `/v1/posts/${post}/like`, from("198.51.100.7", writer.token)),
        writes.limit + 1,
      );
      expect(before).toEqual(Array(writes.limit).fill(200));
      if (!limited) throw new Error("never limited");
      expectProblem(limited, 429);
      expect(limited.headers.get("retry-after")).toBe(String(writes.period));

      // The budget is the user's, wherever they write from, and RealWorld's writes share it.
      const article = await api.request("POST", "/api/articles", {
        headers: {
          authorization: `Token ${writer.token}`,
          "cf-connecting-ip": "198.51.100.8",
        },
        body: { article: { title: "t", description: "d", body: "b" } },
      });
      expect(article.status).toBe(429);
      expect(article.headers.get("retry-after")).toBe(String(writes.period));
      expect(article.body).toEqual({ errors: { request: [expect.any(String)] } });

      // Reads are not counted, and another user writing from the same address is not held back.
      const read = await api.request(
        "GET",
        `/v1/posts/${post}`,
        from("198.51.100.7", writer.token),
      );
      expect(read.status).toBe(200);
      const otherLike = await api.request(
        "PUT",
        `/v1/posts/${post}/like`,
        from("198.51.100.7", other.token),
      );
      expect(otherLike.status).toBe(200);
    }, 90_000);

    it("lets browsers read Retry-After across origins", async () => {
      const preflight = await api.request("OPTIONS", "/v1/posts", {
        headers: {
          origin: "https://app.example",
          "access-control-request-method": "POST",
        },
      });
      expect(preflight.status).toBeLessThan(300);
      const simple = await api.request("GET", "/v1/health", {
        headers: { origin: "https://app.example" },
      });
      expect(simple.headers.get("access-control-expose-headers")).toContain("Retry-After");
    });
  });

  it("takes as long to refuse an unknown login as a wrong password", async () => {
    const { handle } = await api.signUp("timing");
    const time = async (login: string) => {
      const started = performance.now();
      const reply = await api.post("/v1/auth/login", { login, password: "wrong password" });
      expect(reply.status).toBe(401);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 8; i++) {
      known.push(await time(handle));
      unknown.push(await time(`nobody_${i}`));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
    // Without the dummy hash an unknown login would skip PBKDF2 and answer several times faster.
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});

describe("with the gateway as deployed: LOCAL_RUN not set", () => {
  let server: Awaited<ReturnType<typeof startWith>>;
  let api: ReturnType<typeof client>;
  const deployed = { vars: { LOCAL_RUN: "false" } };

  beforeAll(async () => {
    server = await startWith({ ...deployed, secrets: { JWT_SECRET: TEST_JWT_SECRET } });
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("limits requests from this machine like any address", async () => {
    const { limit, period } = limiter("AUTH_LIMITER");
    await freshWindow(10_000, period);
    const statuses: number[] = [];
    for (let i = 0; i <= limit; i++) statuses.push((await api.post("/v1/auth/login", {})).status);
    expect(statuses).toEqual([...Array(limit).fill(422), 429]);
  }, 60_000);

  it("refuses to serve with the public example secret, and logs why", async () => {
    const example = /^JWT_SECRET=(.+)$/m.exec(
      readFileSync(path.join(root, ".dev.vars.example"), "utf8"),
    )?.[1];
    if (!example) throw new Error(".dev.vars.example has no JWT_SECRET");
    await server.update(optionsWith({ ...deployed, secrets: { JWT_SECRET: example } }));
    server.clearLogs();
    const reply = await api.post("/v1/auth/register", {
      handle: "with_example",
      email: "with_example@example.com",
      password: "12345678",
    });
    expectProblem(reply, 500);
    expectProblem(await api.get("/v1/posts"), 500);
    expect(server.getLogs().some((log) => log.message.includes("public example secret"))).toBe(
      true,
    );
  });
});

describe("when the users service stalls past the RPC deadline", () => {
  const DEADLINE_MS = 400;
  const stalled = JSON.stringify({
    seed: 1,
    serviceFailure: { binding: "USERS", rate: 1, stallMs: 5_000 },
  });
  const failing = JSON.stringify({ seed: 1, serviceFailure: { binding: "USERS", rate: 1 } });
  const gateway = (faults: string): TestVars => ({
    "flock-gateway": {
      RPC_DEADLINE_MS: String(DEADLINE_MS),
      FAULTS: faults,
      JWT_SECRET: TEST_JWT_SECRET,
    },
  });
  let server: Awaited<ReturnType<typeof startTestFlock>>;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await startTestFlock(gateway(stalled));
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function timed(send: () => Promise<Reply>) {
    const started = Date.now();
    const reply = await send();
    return { reply, ms: Date.now() - started };
  }

  it("answers a read 503 problem+json at about the deadline instead of hanging", async () => {
    const { reply, ms } = await timed(() => api.get("/v1/users/someone"));
    expectProblem(reply, 503);
    expect(reply.body.detail).toContain("users");
    // What went wrong inside stays in the logs: the body is the problem's fields and nothing else.
    expect(Object.keys(reply.body).sort()).toEqual([
      "detail",
      "requestId",
      "status",
      "title",
      "type",
    ]);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(ms).toBeLessThan(DEADLINE_MS + 1_500);
  });

  it("answers a write 503 at the deadline as well", async () => {
    const { reply, ms } = await timed(() =>
      api.post("/v1/auth/register", {
        handle: "stalled",
        email: "stalled@example.com",
        password: "12345678",
      }),
    );
    expectProblem(reply, 503);
    expect(ms).toBeLessThan(DEADLINE_MS + 1_500);
  });

  it("answers RealWorld's /api 503 in its own error shape", async () => {
    const { reply, ms } = await timed(() => api.get("/api/profiles/someone"));
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual({ errors: { server: [expect.stringContaining("users")] } });
    expect(ms).toBeLessThan(DEADLINE_MS + 1_500);
  });

  it("retries a read once when the binding fails, and never a write", async () => {
    await server.update(testFlockOptions(gateway(failing)));
    server.clearLogs();
    const attempts = (requestId: string) =>
      server
        .getLogs()
        .flatMap((log) => {
          try {
            return [JSON.parse(log.message) as Record<string, unknown>];
          } catch {
            return [];
          }
        })
        .filter((entry) => entry.requestId === requestId && entry.message === "service call failed")
        .map((entry) => entry.attempt);

    const read = await api.request("GET", "/v1/users/someone", {
      headers: { "x-request-id": "retried-read" },
    });
    expectProblem(read, 503);
    const write = await api.request("POST", "/v1/auth/register", {
      headers: { "x-request-id": "single-write" },
      body: { handle: "failing", email: "failing@example.com", password: "12345678" },
    });
    expectProblem(write, 503);
    await sleep(200);
    expect(attempts("retried-read")).toEqual([1, 2]);
    expect(attempts("single-write")).toEqual([1]);
  });
});

describe("when the users service stalls behind the posts service", () => {
  const DEADLINE_MS = 600;
  let server: Awaited<ReturnType<typeof startTestFlock>>;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await startTestFlock({
      "flock-gateway": { RPC_DEADLINE_MS: String(DEADLINE_MS), JWT_SECRET: TEST_JWT_SECRET },
      // Only the posts service's binding to users stalls: the gateway still reaches users itself.
      "flock-posts": {
        FAULTS: JSON.stringify({
          seed: 1,
          serviceFailure: { binding: "USERS", rate: 1, stallMs: 5_000 },
        }),
      },
    });
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("writes a post in time without its first followers, and answers with the post it stored", async () => {
    const author = await api.signUp("stalledfans");
    const started = Date.now();
    const reply = await api.request("POST", "/v1/posts", {
      token: author.token,
      headers: { "x-request-id": "post-while-users-stalls" },
      body: { body: "written while users stalls" },
    });
    const ms = Date.now() - started;
    // Posts gives up on users within its share of the gateway's deadline, so the gateway hears the
    // answer before its own deadline: no 503 for a post that was written after all.
    expect(reply.status).toBe(201);
    expect(ms).toBeLessThan(DEADLINE_MS);
    type Posts = {
      prepare(query: string): {
        bind(...values: string[]): { all(): Promise<{ results: Array<{ id: string }> }> };
      };
    };
    const { DB } = (await server.getWorker("flock-posts").getEnv()) as { DB: Posts };
    const stored = await DB.prepare("SELECT id FROM posts WHERE author_id = ?")
      .bind(author.id)
      .all();
    expect(stored.results.map((row) => row.id)).toEqual([reply.body.id]);
    expect((await api.get(`/v1/posts/${reply.body.id}`)).status).toBe(200);
    // It was the stall that posts gave up on: the followers get the post from the inbox later.
    const skipped = server
      .getLogs()
      .some(
        (log) =>
          log.message.includes("post-while-users-stalls") &&
          log.message.includes("sync fan-out skipped"),
      );
    expect(skipped).toBe(true);
  });
});
