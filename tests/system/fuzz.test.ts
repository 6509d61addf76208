// Property-based tests over every route of both public APIs: /v1 as its /openapi.json lists it and
// /api as the pinned RealWorld spec does. Valid-shaped and malformed bodies, hostile path and query
// values, and hostile headers (tokens in the wrong scheme, tampered or absurdly long; odd content
// types and request ids), signed in, signed out or as someone else. Whatever is sent: never a 5xx,
// every error in its API's envelope (problem+json on /v1, RealWorld's `{errors: {field: [...]}}` on
// /api), and a rejected write changes nothing the caller can see.
//
// FUZZ_RUNS sets the cases per route (default 6: 10 took 160 s of a test command that must stay under
// 20 minutes; `FUZZ_RUNS=50` for a longer hunt); FUZZ_SEED replays a run.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, eventually, type Reply } from "./client";
import { type Flock, startFlock } from "./harness";
import { type Operation, operationsOf, realWorldOperations, type Schema } from "./openapi";
import { makeModerator } from "./roles";

const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

let server: Flock;
let api: ReturnType<typeof client>;
let v1: Operation[] = [];
let realWorld: Operation[] = [];

/** What the cases aim at: two people and the owner's objects, made afresh for each route. */
type Fixtures = {
  token: string;
  other: string;
  /** A moderator's token (the same account for every route), so moderation routes are let in too. */
  moderator: string;
  handle: string;
  otherHandle: string;
  /** Ids /v1 paths take: a post, a comment, a friend request. */
  ids: string[];
  slug: string;
  commentNumber: string;
};
let fixtures: Fixtures;
let moderator: string;

beforeAll(async () => {
  server = await startFlock();
  api = client(server);
  v1 = operationsOf((await api.get("/openapi.json")).body);
  moderator = (await makeModerator(server, await api.signUp("fuzz_mod"))).token;
  realWorld = realWorldOperations();
});
afterAll(async () => {
  await server?.close();
});

/** Fresh people and objects for each route, since a route may delete them (DELETE /v1/me does). */
async function makeFixtures() {
  const owner = await api.signUp("fuzzer");
  const other = await api.signUp("bystander");
  const post = (await api.post("/v1/posts", { body: "fuzz target", tags: ["fuzz"] }, owner.token))
    .body;
  const comment = (
    await api.post(`/v1/posts/${post.id}/comments`, { body: "a comment" }, other.token)
  ).body;
  const request = (
    await api.post(`/v1/users/${owner.handle}/friend-request`, undefined, other.token)
  ).body;
  const article = (
    await api.request("POST", "/api/articles", {
      token: owner.token,
      body: { article: { title: "Fuzz target", description: "d", body: "b", tagList: ["fuzz"] } },
    })
  ).body.article;
  const articleComment = (
    await api.request("POST", `/api/articles/${article.slug}/comments`, {
      token: other.token,
      body: { comment: { body: "a comment" } },
    })
  ).body.comment;
  fixtures = {
    token: owner.token,
    other: other.token,
    moderator,
    handle: owner.handle,
    otherHandle: other.handle,
    ids: [post.id, comment.id, request.id],
    slug: article.slug,
    commentNumber: String(articleComment.id),
  };
  // Let the events of those writes settle (post counts), so a snapshot only moves when a request moves it.
  await eventually(async () =>
    expect((await api.get(`/v1/users/${owner.handle}`)).body.postCount).toBe(2),
  );
}

const MANY_MENTIONS = Array.from({ length: 51 }, (_, i) => `@fuzz_${i}`).join(" ");

/** Values shaped by a JSON schema, often valid, sometimes at or past its limits. */
function fromSchema(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 3) return fc.constant(null);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return fc.oneof(...options.map((option) => fromSchema(option, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return fc.oneof(
        fc.string({ maxLength: schema.maxLength ?? 40 }),
        fc.string({ unit: "grapheme", maxLength: 20 }),
        fc.constantFrom(
          "",
          " ",
          "a@b.co",
          "https://example.com/x.png",
          "javascript:alert(1)",
          "01JD0000000000000000000000",
          "x".repeat((schema.maxLength ?? 100) + 1),
          // Past the 50 distinct mentions a post or comment may hold.
          MANY_MENTIONS,
        ),
      );
    case "integer":
    case "number":
      return fc.oneof(fc.integer({ min: -5, max: (schema.maximum ?? 100) + 5 }), fc.double());
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(fromSchema(schema.items ?? {}, depth + 1), { maxLength: 12 });
    case "object": {
      const entries = Object.entries(schema.properties ?? {});
      return fc.record(
        Object.fromEntries(entries.map(([key, value]) => [key, fromSchema(value, depth + 1)])),
        {
          requiredKeys:
            schema.required?.filter((key) => entries.some(([name]) => name === key)) ?? [],
        },
      );
    }
    default:
      return fc.jsonValue();
  }
}

const anyJson = fc.oneof(
  fc.jsonValue(),
  fc.string(),
  fc.constantFrom("{not json", "", "null", "[]", '{"__proto__":{"x":1}}', "{".repeat(5000)),
);

/** A header value: printable ASCII only, since fetch refuses anything else before sending. */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    maxLength,
  });

/** Who the request claims to be: a real token in either scheme, or something that is not one. */
const authorization = fc.constantFrom(
  "owner",
  "owner as Token",
  "other",
  "moderator",
  "none",
  "garbage",
  "tampered",
  "empty Bearer",
  "Basic",
  "huge",
);

function authHeader(kind: string): Record<string, string> {
  const token = {
    owner: `Bearer ${fixtures.token}`,
    "owner as Token": `Token ${fixtures.token}`,
    other: `Token ${fixtures.other}`,
    moderator: `Bearer ${fixtures.moderator}`,
    none: undefined,
    garbage: "Bearer garbage.token.here",
    // The owner's token with its signature changed: well-formed, but not signed by flock.
    tampered: `Token ${fixtures.token.slice(0, -4)}AAAA`,
    "empty Bearer": "Bearer ",
    Basic: "Basic Zm9vOmJhcg==",
    huge: `Bearer ${"a".repeat(8000)}`,
  }[kind];
  return token === undefined ? {} : { authorization: token };
}

/** Headers a hostile client adds: odd content types, request ids, forwarding claims. */
const extraHeaders = fc.record(
  {
    "content-type": fc.constantFrom(
      "application/json",
      "application/json; charset=utf-16",
      "text/plain",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
    ),
    "x-request-id": fc.oneof(headerText(40), fc.constant("x".repeat(2000))),
    "x-forwarded-for": headerText(40),
    accept: fc.constantFrom("text/html", "*/*", "application/xml"),
  },
  { requiredKeys: [] },
);

/** Path values: mostly the fixtures, or strings that are no such thing. */
function paramsFor(api: "v1" | "api") {
  const person = fc.oneof(
    fc.constant(fixtures.handle),
    fc.constant(fixtures.otherHandle),
    fc.string({ maxLength: 70 }),
    fc.constantFrom("..", "%00", "a".repeat(300)),
  );
  const slug = fc.oneof(
    fc.constant(fixtures.slug),
    fc.constant(`x-${fixtures.ids[0]?.toLowerCase() ?? ""}`),
    fc.string({ maxLength: 70 }),
    fc.constant("01jd0000000000000000000000"),
  );
  const id =
    api === "v1"
      ? fc.oneof(
          fc.constantFrom(...fixtures.ids),
          // Moderation queue ids name their owning service.
          fc.constantFrom(`post_${fixtures.ids[0]}`, `comment_${fixtures.ids[1]}`, "post_", "x_1"),
          fc.string({ maxLength: 70 }),
          fc.constant("01JD0000000000000000000000"),
        )
      : fc.oneof(
          fc.constant(fixtures.commentNumber),
          fc.integer({ min: -2, max: 2 ** 53 + 2 }).map(String),
          fc.constantFrom("1.5", "1e3", "0x1", "", "999999999999999999999"),
          fc.string({ maxLength: 20 }),
        );
  return fc.record({ handle: person, username: person, slug, id });
}

/** FTS5 query syntax and odd text: none of it may reach the index as syntax, or answer 5xx. */
const FTS_SYNTAX = [
  '"',
  '"unbalanced',
  "*",
  "a*",
  "NEAR(a b, 2)",
  "NEAR(",
  "^a",
  "title:a",
  "{title body}:a",
  "a OR b AND NOT c",
  "(a",
  "\u0000",
  "\u200b",
  "́",
  "🦆",
  "ｚｅｂｒａ",
  "x".repeat(201),
  "posts",
  "users",
  "tags",
];

function requestFor(route: Operation) {
  const prefix = route.path.startsWith("/api/") ? "api" : "v1";
  return fc.record({
    params: paramsFor(prefix),
    query: fc.dictionary(
      fc.constantFrom(
        ...(prefix === "v1"
          ? ["limit", "cursor", "tag", "direction", "include", "q", "type"]
          : ["limit", "offset", "tag", "author", "favorited"]),
      ),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.integer().map(String),
        fc.double().map(String),
        // What full-text search syntax is made of, for GET /v1/search's q and type.
        fc.constantFrom(...FTS_SYNTAX),
      ),
      { maxKeys: 3 },
    ),
    body: route.body ? fc.oneof(fromSchema(route.body), anyJson) : fc.option(anyJson),
    auth: authorization,
    headers: extraHeaders,
  });
}

async function snapshot() {
  const reads = await Promise.all([
    api.get("/v1/me", fixtures.token),
    api.get(`/v1/users/${fixtures.handle}`, fixtures.token),
    api.get("/v1/feed", fixtures.token),
    api.get(`/v1/posts/${fixtures.ids[0]}/comments`, fixtures.token),
    api.request("GET", `/api/articles/${fixtures.slug}`),
  ]);
  // Request ids differ on every answer; everything else must not.
  return reads.map((reply) => ({
    status: reply.status,
    body: { ...reply.body, requestId: undefined },
  }));
}

/**
 * Waits until a write that succeeded has had its effects (events travel through queues), so the
 * next case's snapshot cannot move for a reason of its own.
 */
async function settle() {
  let last = JSON.stringify(await snapshot());
  for (let tries = 0; tries < 25; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = JSON.stringify(await snapshot());
    if (now === last) return;
    last = now;
  }
  throw new Error("the fixtures did not settle after a write");
}

/** The error envelope of each API, as its documentation states it. */
function expectEnvelope(reply: Reply, where: string) {
  if (where.includes(" /api/")) {
    expect(reply.headers.get("content-type"), where).toContain("application/json");
    expect(reply.body, where).toEqual({
      errors: expect.any(Object),
    });
    const fields = Object.entries(reply.body.errors as Record<string, unknown>);
    expect(fields.length, where).toBeGreaterThan(0);
    for (const [, messages] of fields) {
      expect(messages, where).toEqual(expect.arrayContaining([expect.any(String)]));
      expect(
        (messages as unknown[]).every((message) => typeof message === "string"),
        where,
      ).toBe(true);
    }
  } else {
    expect(reply.headers.get("content-type"), where).toContain("application/problem+json");
    expect(reply.body, where).toMatchObject({
      status: reply.status,
      title: expect.any(String),
      requestId: expect.any(String),
    });
  }
}

async function fuzz(routes: Operation[]) {
  for (const route of routes) {
    await makeFixtures();
    await fc.assert(
      fc.asyncProperty(requestFor(route), async (input) => {
        const path = route.path.replace(/\{(\w+)\}/g, (_, name: keyof typeof input.params) =>
          encodeURIComponent(input.params[name] ?? ""),
        );
        const search = new URLSearchParams(input.query).toString();
        const writes = route.method !== "GET";
        const before = writes ? await snapshot() : null;
        const raw =
          route.method === "GET" || input.body === null
            ? undefined
            : typeof input.body === "string"
              ? input.body
              : JSON.stringify(input.body);
        const reply: Reply = await api.request(
          route.method,
          `${path}${search ? `?${search}` : ""}`,
          {
            raw,
            headers: {
              ...authHeader(input.auth),
              ...(raw === undefined ? {} : { "content-type": "application/json" }),
              ...input.headers,
            },
          },
        );
        const where = `${route.method} ${route.path} -> ${reply.status}`;
        expect(reply.status, where).toBeLessThan(500);
        if (reply.status >= 400) {
          expectEnvelope(reply, where);
          if (before) expect(await snapshot(), `${where} changed state`).toEqual(before);
        } else if (writes) {
          await settle();
        }
      }),
      { numRuns: NUM_RUNS, seed: SEED },
    );
  }
}

describe("fuzzing every route of both APIs", () => {
  it("covers both APIs", () => {
    expect(v1.length).toBeGreaterThan(30);
    // The RealWorld spec's 19 operations.
    expect(realWorld.length).toBe(19);
  });

  it("never answers 5xx on /v1, always problem+json for errors, and a rejected write changes nothing", async () => {
    await fuzz(v1);
  }, 300_000);

  it("never answers 5xx on /api, always RealWorld's error envelope, and a rejected write changes nothing", async () => {
    await fuzz(realWorld);
  }, 300_000);
});
