import { describe, expect, it } from "vitest";
import { gateway } from "../test/helpers";
import { API_REFERENCE_SCRIPT } from "./docs";

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

describe("GET /docs", () => {
  it("references scripts of flock only, under a CSP that allows those and nothing else", async () => {
    const reply = await gateway("/docs");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toContain("text/html");
    const html = await reply.text();

    const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]*)"/g)].map(([, src]) => src);
    expect(sources).toEqual([API_REFERENCE_SCRIPT]);
    // No address of another host anywhere the page could load from.
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);

    const csp = Object.fromEntries(
      (reply.headers.get("content-security-policy") ?? "").split(";").map((directive) => {
        const [name = "", ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(csp["default-src"]).toEqual(["'none'"]);
    expect(csp["connect-src"]).toEqual(["'self'"]);
    expect(csp["frame-ancestors"]).toEqual(["'none'"]);
    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)];
    expect(inline.length).toBeGreaterThan(0);
    expect(csp["script-src"]?.sort()).toEqual(
      [
        `https://flock.test${API_REFERENCE_SCRIPT}`,
        ...(await Promise.all(
          inline.map(async ([, body = ""]) => `'sha256-${await sha256(body)}'`),
        )),
      ].sort(),
    );
    expect(reply.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
