// The API reference at /docs renders in a real browser with nothing but flock: no request to any
// other host, no CSP violation, no page error (the machine has no internet, as a user offline has not).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, launch, person, settled, viewports } from "./browser";

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe("the API reference", () => {
  it("renders offline from flock alone, within its CSP", async () => {
    const { page, context, incidents } = await person(browser, viewports.desktop);
    await context.addInitScript(() => {
      const seen: string[] = [];
      Object.assign(window, { __refused: seen });
      document.addEventListener("securitypolicyviolation", (event) => {
        seen.push(`${event.effectiveDirective} ${event.blockedURI}`);
      });
    });
    const origins = new Set<string>();
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.protocol === "http:" || url.protocol === "https:") origins.add(url.origin);
    });
    await page.goto("/docs");
    await settled(page);
    // An operation of the document, as the reference lists it: the script ran and read /openapi.json.
    await expect
      .poll(() => page.getByText("Sign in with a handle or email and a password").count())
      .toBeGreaterThan(0);
    expect([...origins]).toEqual([new URL(baseUrl()).origin]);
    // The CSP holds: the one thing it refuses is the eval zod (inside the bundle) tries once to
    // learn whether it may compile validators, and does without when it may not. No URL is refused.
    const refused = await page.evaluate(() => (window as { __refused?: string[] }).__refused ?? []);
    expect(refused.every((entry) => entry === "script-src eval")).toBe(true);
    expect(incidents.errors).toEqual([]);
  });
});
