// The API reference at /docs works with nothing but flock: every script it loads is served by
// flock itself (the installed @scalar/api-reference, copied into the static assets), under a CSP
// that allows only those. docs/SECURITY.md lists what each test proves.
import { describe, expect, it } from "vitest";
import { useFlock } from "./harness";

describe("GET /docs", () => {
  const flock = useFlock();

  it("loads every script from flock itself, under a CSP that names them", async () => {
    const page = await flock.server.fetch("http://localhost/docs");
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1]?.split(" ") ?? [];
    expect(scriptSrc).not.toContain("'unsafe-inline'");

    const html = await page.text();
    const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]*)"/g)].map(([, src = ""]) => src);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      // A path on this origin, never another host (offline, another host is a blank page).
      expect(src).toMatch(/^\/(?!\/)/);
      expect(scriptSrc).toContain(`http://localhost${src}`);
      const script = await flock.server.fetch(`http://localhost${src}`);
      expect(script.status).toBe(200);
      expect(script.headers.get("content-type")).toContain("javascript");
      const body = await script.text();
      // The standalone bundle of the API reference, which defines the global the page calls.
      expect(body.length).toBeGreaterThan(1_000_000);
      expect(html).toContain("Scalar.createApiReference");
    }
  });
});
