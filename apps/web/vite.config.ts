import { defineConfig } from "vite";

// The API is served by the gateway on the same origin in production and under `npm start`; `vite`
// (the dev server with hot reload) forwards it to a running `npm start`.
const api = "http://127.0.0.1:8787";

export default defineConfig({
  // Preact's automatic JSX runtime through Vite's own transform: no Babel, no framework plugin.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: {
    proxy: { "/v1": api, "/api": api, "/openapi.json": api, "/docs": api },
  },
});
