import { CallContext, type Result } from "@flock/contracts";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  endSpan,
  formatTraceparent,
  parseTraceparent,
  startSpan,
  statusClass,
  traceEntrypoint,
} from "./trace";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${PARENT}-01`;

afterEach(() => {
  vi.restoreAllMocks();
});

/** The span lines console.log and console.error get while `run` runs. */
async function lines(run: () => unknown): Promise<Array<Record<string, unknown>>> {
  const seen: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void seen.push(line));
  vi.spyOn(console, "error").mockImplementation((line: string) => void seen.push(line));
  await run();
  return seen.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("parseTraceparent", () => {
  it("reads a valid version-00 traceparent", () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, parentId: PARENT, flags: "01" });
  });

  it("treats every malformed value as absent", () => {
    for (const value of [
      undefined,
      null,
      "",
      "garbage",
      `01-${TRACE}-${PARENT}-01`, // another version
      `ff-${TRACE}-${PARENT}-01`, // the invalid version
      `00-${TRACE.toUpperCase()}-${PARENT}-01`, // upper case
      `00-${"0".repeat(32)}-${PARENT}-01`, // all-zero trace id
      `00-${TRACE}-${"0".repeat(16)}-01`, // all-zero span id
      `00-${TRACE}-${PARENT}-01-extra`,
      `00-${TRACE.slice(1)}-${PARENT}-01`,
      ` ${VALID}`,
    ]) {
      expect(parseTraceparent(value), String(value)).toBeNull();
    }
  });

  it("reads back what formatTraceparent writes", () => {
    const span = startSpan({ name: "x", service: "posts", kind: "rpc" });
    expect(parseTraceparent(formatTraceparent(span))).toEqual({
      traceId: span.traceId,
      parentId: span.spanId,
      flags: "01",
    });
  });
});

describe("startSpan", () => {
  it("continues the parent's trace as its child, keeping its flags", () => {
    const span = startSpan({
      parent: `00-${TRACE}-${PARENT}-00`,
      name: "x",
      service: "posts",
      kind: "rpc",
    });
    expect(span.traceId).toBe(TRACE);
    expect(span.parentId).toBe(PARENT);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.spanId).not.toBe(PARENT);
    expect(formatTraceparent(span)).toBe(`00-${TRACE}-${span.spanId}-00`);
  });

  it("starts a new trace, sampled, without a parent or with garbage", () => {
    const root = startSpan({ name: "x", service: "posts", kind: "rpc" });
    const fromGarbage = startSpan({ parent: "nope", name: "x", service: "posts", kind: "rpc" });
    for (const span of [root, fromGarbage]) {
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.parentId).toBeNull();
      expect(span.flags).toBe("01");
    }
    expect(root.traceId).not.toBe(fromGarbage.traceId);
  });
});

describe("endSpan", () => {
  it("logs one line with the span's ids, duration, outcome and fields", async () => {
    const span = startSpan({
      parent: VALID,
      name: "POST /v1/posts",
      service: "gateway",
      kind: "route",
      requestId: "req-1",
    });
    const [line, more] = await lines(() => endSpan(span, "ok", { status: 201 }));
    expect(more).toBeUndefined();
    expect(line).toMatchObject({
      span: "POST /v1/posts",
      kind: "route",
      service: "gateway",
      trace: TRACE,
      id: span.spanId,
      parent: PARENT,
      outcome: "ok",
      status: 201,
      requestId: "req-1",
    });
    expect(typeof line?.ms).toBe("number");
  });

  it("writes the data point in the documented layout when the span has a METRICS binding", () => {
    const points: AnalyticsEngineDataPoint[] = [];
    const metrics = {
      writeDataPoint: (point?: AnalyticsEngineDataPoint) => point && points.push(point),
    };
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const span = startSpan({ name: "posts-inbox", service: "posts", kind: "consumer", metrics });
    endSpan(span, "error", { queue: "posts-inbox", messages: 3, retried: 1, oldestAgeMs: 40 });
    expect(points).toHaveLength(1);
    expect(points[0]?.indexes).toEqual(["posts"]);
    expect(points[0]?.blobs).toEqual([
      "consumer",
      "posts",
      "posts-inbox",
      "error",
      "",
      "posts-inbox",
      span.traceId,
    ]);
    expect(points[0]?.doubles?.slice(1)).toEqual([0, 3, 1, 0, 40, 0, 0]);
  });

  it("never lets a failing metrics write fail the work", () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const metrics = {
      writeDataPoint: () => {
        throw new Error("down");
      },
    };
    const span = startSpan({ name: "x", service: "posts", kind: "rpc", metrics });
    expect(() => endSpan(span, "ok")).not.toThrow();
  });

  it("names status classes", () => {
    expect([statusClass(201), statusClass(404), statusClass(503), statusClass(undefined)]).toEqual([
      "2xx",
      "4xx",
      "5xx",
      "",
    ]);
  });
});

describe("traceEntrypoint", () => {
  class Example {
    readonly env = {};
    seen: CallContext | null = null;
    async find(ctx: CallContext, id: string): Promise<Result<string>> {
      this.seen = ctx;
      return id === "gone"
        ? { ok: false, error: { code: "not_found" } }
        : id === "broken"
          ? { ok: false, error: { code: "internal" } }
          : { ok: true, value: id };
    }
    health() {
      return "fine";
    }
  }
  traceEntrypoint(Example, "example");

  it("runs each method in an rpc span, child of the caller's, and hands it that span", async () => {
    const example = new Example();
    const spans = await lines(() =>
      example.find({ requestId: "r", actorId: null, traceparent: VALID }, "a"),
    );
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span).toMatchObject({
      span: "example.find",
      kind: "rpc",
      trace: TRACE,
      parent: PARENT,
      status: 200,
      outcome: "ok",
    });
    expect(example.seen?.traceparent).toBe(`00-${TRACE}-${span?.id}-01`);
    expect(CallContext.parse(example.seen).traceparent).toBe(example.seen?.traceparent);
  });

  it("marks a service's 5xx an error and its 4xx a plain answer", async () => {
    const example = new Example();
    const spans = await lines(async () => {
      await example.find({ requestId: "r", actorId: null }, "gone");
      await example.find({ requestId: "r", actorId: null }, "broken");
    });
    expect(spans.map((span) => [span.status, span.outcome])).toEqual([
      [404, "ok"],
      [500, "error"],
    ]);
  });

  it("leaves a method without a call context alone", async () => {
    const spans = await lines(() => new Example().health());
    expect(spans).toEqual([]);
  });
});

describe("CallContext", () => {
  it("drops a traceparent that is not valid rather than refusing the call", () => {
    expect(
      CallContext.parse({ requestId: "r", actorId: null, traceparent: "junk" }).traceparent,
    ).toBeUndefined();
  });
});
