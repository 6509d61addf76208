import { readFile } from "node:fs/promises";
import { defineConfig, type Plugin } from "vite";

// The API is served by the gateway on the same origin in production and under `npm start`; `vite`
// (the dev server with hot reload) forwards it to a running `npm start`.
const api = "http://127.0.0.1:8787";

/**
 * The gateway's /docs page loads the API reference's script from flock itself
 * (API_REFERENCE_SCRIPT in workers/gateway/src/docs.ts): the standalone bundle of the installed
 * @scalar/api-reference, copied into the build the gateway serves as its static assets.
 */
function apiReferenceScript(): Plugin {
  return {
    name: "flock-api-reference-script",
    async generateBundle() {
      // The package's exports name only its module entry (dist/index.js); the bundle sits beside it.
      const entry = import.meta.resolve("@scalar/api-reference");
      this.emitFile({
        type: "asset",
        fileName: "docs/api-reference.js",
        source: await readFile(new URL("./browser/standalone.js", entry)),
      });
    },
  };
}

export default defineConfig({
  // Preact's automatic JSX runtime through Vite's own transform: no Babel, no framework plugin.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [apiReferenceScript()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: {
    proxy: { "/v1": api, "/api": api, "/openapi.json": api, "/docs": api },
  },
});
