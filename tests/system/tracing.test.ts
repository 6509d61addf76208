// One trace through every hop (DESIGN.md "Observability", docs/OPERATIONS.md "Traces"): a post that
// mentions someone, followed from the gateway through posts and users, across the queues to the
// notifications consumer, and on to the live push, by the span lines every worker logs.
import { describe, expect, it } from "vitest";
import { type SpanLine, spanOf } from "../../scripts/spans.ts";
import { eventually } from "./client";
import { useFlock } from "./harness";

const flock = useFlock();

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN = "00f067aa0ba902b7";

/** The span lines the workers have logged so far (the harness keeps the runtime's logs). */
function spans(): SpanLine[] {
  return flock.server
    .getLogs()
    .map((log) => spanOf(log.message))
    .filter((span): span is SpanLine => span !== null);
}

/** The trace id and span id of a traceparent the gateway answered. */
function answered(traceparent: string | null) {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(traceparent ?? "");
  expect(match, `traceparent ${traceparent}`).not.toBeNull();
  return { trace: match?.[1] ?? "", span: match?.[2] ?? "" };
}

describe("one trace through every hop", () => {
  it("follows a post with a mention from the gateway to the mentioned user's live push", async () => {
    const author = await flock.api.signUp("author");
    const mentioned = await flock.api.signUp("mentioned");
    flock.server.clearLogs();

    const reply = await flock.api.request("POST", "/v1/posts", {
      token: author.token,
      body: { body: `hello @${mentioned.handle}` },
    });
    expect(reply.status).toBe(201);
    const { trace, span: routeId } = answered(reply.headers.get("traceparent"));

    // The notification is written by the notifications consumer, and its push follows.
    const traced = await eventually(async () => {
      const list = await flock.api.get("/v1/notifications", mentioned.token);
      expect(list.body.items.map((item: { type: string }) => item.type)).toContain("mention");
      const found = spans().filter((span) => span.trace === trace);
      expect(found.map((span) => span.span)).toContain("live.UserLive.push");
      return found;
    }, 15_000);

    const byId = new Map(traced.map((span) => [span.id, span]));
    // The root is the gateway's route span, named by its pattern, never its raw path.
    const roots = traced.filter((span) => span.parent === null);
    expect(roots.map((span) => [span.id, span.kind, span.span, span.status])).toEqual([
      [routeId, "route", "POST /v1/posts", 201],
    ]);
    // Every other span's parent is a span of the same trace: the spans form one tree.
    for (const span of traced) {
      if (span.parent !== null) expect(byId.has(span.parent), JSON.stringify(span)).toBe(true);
    }
    const names = new Set(traced.map((span) => span.span));
    for (const name of [
      "posts.createPost",
      "users.followerIds",
      "notifications.post.created",
      "users.getProfilesByHandles",
      "live.push",
      "live.UserLive.push",
    ])
      expect(names, name).toContain(name);
    expect(new Set(traced.map((span) => span.kind))).toEqual(
      new Set(["route", "rpc", "relay", "event", "push"]),
    );

    // The hops in order: each is the child of the one before.
    const parentOf = (name: string) => {
      const span = traced.find((one) => one.span === name);
      return span?.parent ? byId.get(span.parent)?.span : undefined;
    };
    expect(parentOf("posts.createPost")).toBe("POST /v1/posts");
    expect(parentOf("notifications.post.created")).toBe("posts.createPost");
    expect(parentOf("users.getProfilesByHandles")).toBe("notifications.post.created");
    expect(parentOf("live.push")).toBe("notifications.post.created");
    expect(parentOf("live.UserLive.push")).toBe("live.push");

    // The event span names the consumer batch it ran in, a span of its own trace.
    const applied = traced.find((span) => span.span === "notifications.post.created");
    const batch = spans().find((span) => span.id === applied?.batch);
    expect(batch).toMatchObject({ kind: "consumer", queue: "notifications-inbox" });
    expect(batch?.messages).toBeGreaterThanOrEqual(1);
    expect(typeof batch?.oldestAgeMs).toBe("number");
  });

  it("continues a trace the client started", async () => {
    const author = await flock.api.signUp("client");
    const reply = await flock.api.request("POST", "/v1/posts", {
      token: author.token,
      body: { body: "traced by the client" },
      headers: { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01` },
    });
    expect(reply.status).toBe(201);
    const { trace, span } = answered(reply.headers.get("traceparent"));
    expect(trace).toBe(TRACE);
    expect(span).not.toBe(CLIENT_SPAN);
    const route = await eventually(async () => {
      const found = spans().find((one) => one.id === span);
      expect(found).toBeDefined();
      return found;
    });
    expect(route).toMatchObject({ kind: "route", parent: CLIENT_SPAN, trace: TRACE });
  });

  it("starts a new trace for a garbage traceparent, and refuses nothing", async () => {
    for (const garbage of ["junk", `00-${"0".repeat(32)}-${CLIENT_SPAN}-01`, "x".repeat(4000)]) {
      const reply = await flock.api.request("GET", "/v1/posts?limit=1", {
        headers: { traceparent: garbage },
      });
      expect(reply.status, garbage.slice(0, 40)).toBe(200);
      const { trace, span } = answered(reply.headers.get("traceparent"));
      expect(trace).not.toBe("0".repeat(32));
      const route = await eventually(async () => {
        const found = spans().find((one) => one.id === span);
        expect(found).toBeDefined();
        return found;
      });
      expect(route).toMatchObject({ kind: "route", parent: null, span: "GET /v1/posts" });
    }
  });

  it("logs a cron span with the outbox backlog the cron leaves", async () => {
    const author = await flock.api.signUp("cron");
    expect((await flock.api.post("/v1/posts", { body: "sent" }, author.token)).status).toBe(201);
    await flock.server.getWorker("flock-posts").scheduled({ cron: "* * * * *" });
    const cron = await eventually(async () => {
      const found = spans().findLast((span) => span.kind === "cron" && span.service === "posts");
      expect(found).toBeDefined();
      return found;
    });
    expect(cron).toMatchObject({ span: "posts.scheduled", parent: null, outcome: "ok" });
    expect(cron?.outboxUnsent).toBeGreaterThanOrEqual(0);
    expect(cron?.outboxOldestAgeMs).toBeGreaterThanOrEqual(0);
  });
});
