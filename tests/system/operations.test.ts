// GET /v1/operations/figures, the operations page's last hour: who may read it, and that its figures
// are the requests the run really served, read from the span lines the workers logged (the local
// stand-in for Analytics Engine, scripts/figures.ts; docs/OPERATIONS.md "Metrics").
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveFigures } from "../../scripts/figures.ts";
import { client } from "./client";
import { type Flock, LOCAL_RUN_VARS, startFlock } from "./harness";
import { makeModerator } from "./roles";

const OPERATOR_TOKEN = "operator-token-for-the-figures-tests-0123456789";
const asOperator = { headers: { "flock-operator-token": OPERATOR_TOKEN } };

describe("the last hour's figures, from the run's span lines", () => {
  const log = path.join(mkdtempSync(path.join(tmpdir(), "flock-figures-")), "flock.log");
  let figures: Awaited<ReturnType<typeof serveFigures>>;
  let server: Flock;
  let api: ReturnType<typeof client>;
  /** What the workers have logged so far, written where the figures are read from. */
  const flushLogs = () =>
    writeFileSync(
      log,
      server
        .getLogs()
        .map((entry) => `${entry.message}\n`)
        .join(""),
    );

  beforeAll(async () => {
    writeFileSync(log, "");
    figures = await serveFigures(log);
    server = await startFlock({
      ...LOCAL_RUN_VARS,
      LOCAL_FIGURES_URL: figures.url,
      OPERATOR_TOKEN,
    });
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
    await figures?.close();
  });

  it("is for moderators and the operator token only", async () => {
    expect((await api.get("/v1/operations/figures")).status).toBe(401);
    const member = await api.signUp("member");
    const refused = await api.get("/v1/operations/figures", member.token);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    const wrong = await api.request("GET", "/v1/operations/figures", {
      headers: { "flock-operator-token": `${OPERATOR_TOKEN}-not` },
    });
    expect(wrong.status).toBe(401);
    const operator = await api.request("GET", "/v1/operations/figures", asOperator);
    expect(operator.status).toBe(200);
    expect(operator.body.source).toBe("local-log");
  });

  it("counts each route's requests and refusals as the gateway answered them", async () => {
    server.clearLogs();
    const reader = await api.signUp("reader");
    const found = await api.signUp("found");
    for (let i = 0; i < 3; i++)
      expect((await api.get(`/v1/users/${found.handle}`, reader.token)).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await api.get("/v1/users/nobody_here", reader.token)).status).toBe(404);
    const moderator = await makeModerator(server, await api.signUp("watcher"));
    flushLogs();

    const reply = await api.get("/v1/operations/figures?minutes=60", moderator.token);
    expect(reply.status).toBe(200);
    const byName = new Map(
      (reply.body.routes as Array<{ name: string }>).map((route) => [route.name, route]),
    );
    // By the route's pattern, never its raw path: the handles do not split it.
    expect(byName.get("GET /v1/users/:handle")).toMatchObject({
      count: 5,
      clientErrors: 2,
      serverErrors: 0,
    });
    expect(byName.get("POST /v1/auth/register")).toMatchObject({ count: 3, serverErrors: 0 });
    const users = (reply.body.methods as Array<{ name: string; count: number }>).find((method) =>
      method.name.startsWith("users."),
    );
    expect(users?.count).toBeGreaterThan(0);
  });

  it("refuses a window it cannot give, as bad input", async () => {
    const reply = await api.request("GET", "/v1/operations/figures?minutes=100000", asOperator);
    expect(reply.status).toBe(422);
  });
});

describe("the figures without a source", () => {
  let server: Flock;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await startFlock({ OPERATOR_TOKEN });
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("are unavailable (503), with no error text, when the gateway has nowhere to read them", async () => {
    const reply = await api.request("GET", "/v1/operations/figures", asOperator);
    expect(reply.status).toBe(503);
    expect(reply.headers.get("content-type")).toContain("application/problem+json");
    expect(JSON.stringify(reply.body)).not.toMatch(/Error|fetch|ECONN/);
  });
});
