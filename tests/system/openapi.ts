// The operations of an OpenAPI 3.1 document, for the suites that walk every route: flock's own
// /openapi.json (the /v1 API) and the RealWorld spec that /api follows, pinned beside the project
// in ../shared/realworld/openapi.yml (the file `npm run test:realworld` reads its suite beside).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { root } from "./harness";

/** The parts of a JSON schema the fuzzer shapes values by. */
export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  maxLength?: number;
  maximum?: number;
};

/** One route of a document: `path` is a template such as `/api/articles/{slug}`. */
export type Operation = {
  method: string;
  path: string;
  /** The JSON request body's schema, if the route takes one. */
  body?: Schema;
  /** Whether the document says the route needs a token. */
  needsToken: boolean;
};

type Document = {
  paths: Record<string, Record<string, RawOperation>>;
  components?: unknown;
};
type RawOperation = {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: Array<Record<string, unknown>>;
};

const METHODS = new Set(["get", "put", "post", "delete", "patch"]);

/** Replaces every local `$ref` by what it points at; a reference that leads back to itself throws. */
function resolve(node: unknown, doc: unknown, following: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => resolve(item, doc, following));
  if (node === null || typeof node !== "object") return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === "string") {
    if (following.includes(ref)) throw new Error(`cyclic $ref ${ref}`);
    const target = ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], doc);
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
    return resolve(target, doc, [...following, ref]);
  }
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, resolve(value, doc, following)]),
  );
}

/** Every operation of a parsed OpenAPI document, its paths prefixed by `prefix` (a server's base). */
export function operationsOf(raw: unknown, prefix = ""): Operation[] {
  const doc = resolve(raw, raw) as Document;
  return Object.entries(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path: `${prefix}${template}`,
        body: operation.requestBody?.content?.["application/json"]?.schema,
        // An empty requirement (`{}`) among the alternatives makes the token optional.
        needsToken:
          (operation.security ?? []).length > 0 &&
          (operation.security ?? []).every((requirement) => Object.keys(requirement).length > 0),
      })),
  );
}

/** The RealWorld API's operations as its pinned spec lists them, under /api. */
export function realWorldOperations(): Operation[] {
  const file = path.resolve(root, "../shared/realworld/openapi.yml");
  return operationsOf(parse(readFileSync(file, "utf8")), "/api");
}
