import { Scalar } from "@scalar/hono-api-reference";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";

/**
 * Where the API reference's script is served: a static asset of flock itself, which the web app's
 * build copies from the installed @scalar/api-reference (apps/web/vite.config.ts), never a CDN.
 */
export const API_REFERENCE_SCRIPT = "/docs/api-reference.js";

/** GET /docs: the interactive API reference (scripts from flock only; see docsPolicy). */
export const docsPage = Scalar({
  url: "/openapi.json",
  pageTitle: "flock API",
  cdn: API_REFERENCE_SCRIPT,
  // Scalar's fonts and telemetry would come from its own hosts; the CSP refuses those anyway.
  withDefaultFonts: false,
  telemetry: false,
});

const INLINE_SCRIPT = /<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g;

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/**
 * The Content-Security-Policy of the docs page: scripts only from API_REFERENCE_SCRIPT and the
 * inline scripts of this very page, by hash; requests only to flock; no frames, forms or plugins.
 * Styles may be inline because the reference injects its own at run time.
 */
async function policy(html: string, origin: string): Promise<string> {
  const hashes = await Promise.all(
    [...html.matchAll(INLINE_SCRIPT)].map(
      async ([, body = ""]) => `'sha256-${await sha256(body)}'`,
    ),
  );
  return [
    "default-src 'none'",
    `script-src ${origin}${API_REFERENCE_SCRIPT} ${hashes.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Sets the docs page's CSP (see policy), computed from the page as rendered, and its other headers. */
export const docsPolicy = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const html = await c.res.clone().text();
  c.res.headers.set("Content-Security-Policy", await policy(html, new URL(c.req.url).origin));
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  c.res.headers.set("Referrer-Policy", "no-referrer");
});
