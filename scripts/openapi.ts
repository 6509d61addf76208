// The gateway's OpenAPI document and the web app's API types generated from it, both committed.
// `npm run generate:api` writes them. `npm run check:openapi` (part of `npm test`) fails when
// either differs from what the code generates now, then lints the document with Redocly's
// recommended rules. No worker runs: the document is built from the route definitions alone, so
// it is enough to load the gateway's code in Node (through Vite, which resolves its TypeScript)
// and ask it for the page.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { runnerImport } from "vite";
import { run } from "./run.ts";

const root = path.resolve(import.meta.dirname, "..");
const documentFile = "workers/gateway/openapi.json";
const typesFile = "apps/web/src/api/schema.d.ts";
// Redocly's own entry point, run on this Node (22), whatever else is first on the PATH.
const redoclyJs = path.join(root, "node_modules/@redocly/cli/bin/cli.js");

const TYPES_HEADER = `// Generated from ${documentFile} by \`npm run generate:api\`. Do not edit.\n\n`;

/** What this script needs of the gateway's entry module: /openapi.json reads only CORS_ORIGINS. */
type Gateway = {
  default: { fetch(request: Request, env: { CORS_ORIGINS: string }): Promise<Response> };
};

async function generateDocument(): Promise<string> {
  const { module: gateway } = await runnerImport<Gateway>(
    path.join(root, "workers/gateway/src/index.ts"),
    { root, configFile: false, logLevel: "error" },
  );
  const response = await gateway.default.fetch(new Request("http://localhost/openapi.json"), {
    CORS_ORIGINS: "*",
  });
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  return `${JSON.stringify(await response.json(), null, 2)}\n`;
}

async function generateTypes(document: string): Promise<string> {
  return TYPES_HEADER + astToString(await openapiTS(document, { silent: true }));
}

function committed(file: string): string | null {
  try {
    return readFileSync(path.join(root, file), "utf8");
  } catch {
    return null;
  }
}

const document = await generateDocument();
const generated = { [documentFile]: document, [typesFile]: await generateTypes(document) };

if (process.argv.includes("--check")) {
  const stale = Object.entries(generated).filter(([file, text]) => committed(file) !== text);
  if (stale.length > 0) {
    for (const [file] of stale)
      console.error(`${file} is not what the gateway's code generates now.`);
    console.error("Run `npm run generate:api` and commit the result.");
    process.exit(1);
  }
  console.log(`${documentFile} and ${typesFile} are up to date.`);
  await run(process.execPath, [redoclyJs, "lint", path.join(root, documentFile)]);
} else {
  for (const [file, text] of Object.entries(generated)) {
    writeFileSync(path.join(root, file), text);
    console.log(`wrote ${file}`);
  }
}
