// Property-based tests over every route of the OpenAPI document: valid-shaped and malformed requests,
// signed in, signed out or with a bad token. Whatever is sent: never a 5xx, every error is
// problem+json, and a rejected write changes nothing the caller can see.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, eventually, type Reply } from "./client";
import { type Flock, startFlock } from "./harness";

let server: Flock;
let api: ReturnType<typeof client>;
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  maxLength?: number;
  maximum?: number;
  $ref?: string;
};
type Operation = {
  requestBody?: { content: Record<string, { schema: Schema }> };
  parameters?: Array<{ name: string; in: string }>;
};
let routes: Array<{ method: string; path: string; operation: Operation }> = [];
/** The document's named schemas, which request bodies refer to. */
let components: Record<string, Schema> = {};
let fixtures: { token: string; other: string; handle: string; otherHandle: string; ids: string[] };

const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 6);

beforeAll(async () => {
  server = await startFlock();
  api = client(server);
  const doc = (await api.get("/openapi.json")).body as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Schema> };
  };
  components = doc.components.schemas;
  routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      operation,
    })),
  );
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
  fixtures = {
    token: owner.token,
    other: other.token,
    handle: owner.handle,
    otherHandle: other.handle,
    ids: [post.id, comment.id, request.id],
  };
  // Let the events of those writes settle (post counts), so a snapshot only moves when a request moves it.
  await eventually(async () =>
    expect((await api.get(`/v1/users/${owner.handle}`)).body.postCount).toBe(1),
  );
}
afterAll(async () => {
  await server?.close();
});

/** Values shaped by a JSON schema, often valid, sometimes at or past its limits. */
function fromSchema(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 3) return fc.constant(null);
  const named = schema.$ref && components[schema.$ref.replace("#/components/schemas/", "")];
  if (named) return fromSchema(named, depth);
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
          "01JD0000000000000000000000",
          "x".repeat((schema.maxLength ?? 100) + 1),
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

const anyJson = fc.oneof(fc.jsonValue(), fc.string(), fc.constant("{not json"), fc.constant(""));

function requestFor(route: (typeof routes)[number]) {
  const bodySchema = route.operation.requestBody?.content["application/json"]?.schema;
  return fc.record({
    params: fc.record({
      handle: fc.oneof(
        fc.constant(fixtures.handle),
        fc.constant(fixtures.otherHandle),
        fc.string({ maxLength: 70 }),
      ),
      id: fc.oneof(
        fc.constantFrom(...fixtures.ids),
        fc.string({ maxLength: 70 }),
        fc.constant("01JD0000000000000000000000"),
      ),
    }),
    query: fc.dictionary(
      fc.constantFrom("limit", "cursor", "tag", "direction", "include"),
      fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)),
      { maxKeys: 3 },
    ),
    body: bodySchema
      ? fc.oneof(fromSchema(bodySchema), anyJson)
      : fc.option(anyJson, { nil: undefined }),
    auth: fc.constantFrom("owner", "other", "none", "garbage"),
  });
}

async function snapshot(token: string) {
  const reads = await Promise.all([
    api.get("/v1/me", token),
    api.get(`/v1/users/${fixtures.handle}`, token),
    api.get("/v1/feed", token),
  ]);
  // Request ids differ on every answer; everything else must not.
  return reads.map((reply) => ({
    status: reply.status,
    body: { ...reply.body, requestId: undefined },
  }));
}

describe("fuzzing every route of the OpenAPI document", () => {
  it("covers the API", () => {
    expect(routes.length).toBeGreaterThan(30);
  });

  it("never answers 5xx, always problem+json for errors, and a rejected write changes nothing", async () => {
    for (const route of routes) {
      await makeFixtures();
      await fc.assert(
        fc.asyncProperty(requestFor(route), async (input) => {
          const path = route.path
            .replace("{handle}", encodeURIComponent(input.params.handle))
            .replace("{id}", encodeURIComponent(input.params.id));
          const search = new URLSearchParams(input.query).toString();
          const token = {
            owner: fixtures.token,
            other: fixtures.other,
            none: undefined,
            garbage: "garbage.token.here",
          }[input.auth];
          const writes = route.method !== "GET";
          const before = writes ? await snapshot(fixtures.token) : null;
          const json =
            typeof input.body === "string"
              ? input.body
              : input.body === undefined
                ? undefined
                : JSON.stringify(input.body);
          const raw = route.method === "GET" ? undefined : json;
          const reply: Reply = await api.request(
            route.method,
            `${path}${search ? `?${search}` : ""}`,
            {
              token,
              raw,
              headers: raw === undefined ? {} : { "content-type": "application/json" },
            },
          );
          const where = `${route.method} ${route.path} -> ${reply.status}`;
          expect(reply.status, where).toBeLessThan(500);
          if (reply.status >= 400) {
            expect(reply.headers.get("content-type"), where).toContain("application/problem+json");
            expect(reply.body, where).toMatchObject({
              status: reply.status,
              title: expect.any(String),
              requestId: expect.any(String),
            });
            if (before)
              expect(await snapshot(fixtures.token), `${where} changed state`).toEqual(before);
          }
        }),
        { numRuns: NUM_RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261122) },
      );
    }
  }, 240_000);
});
