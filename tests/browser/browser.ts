import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect, inject } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

let scriptBaseUrl: string | undefined;

/** Points these helpers at flock for a script run outside vitest (tests get it from the setup). */
export function useBaseUrl(url: string): void {
  scriptBaseUrl = url;
}

/** Where flock runs. */
export const baseUrl = (): string => scriptBaseUrl ?? inject("baseUrl");

export const PASSWORD = "correct horse battery";

export const viewports = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

/**
 * Debian's Chromium, headless, with the network features this machine's closed network would only
 * slow down. playwright-core gives every launch a fresh temporary --user-data-dir of its own.
 */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * What a page saw that it should not have: script run by user text, CSP blocks, crashes, and
 * errors logged to its console (failed requests included).
 */
export type Incidents = { dialogs: string[]; errors: string[]; console: string[] };

declare global {
  interface Window {
    __xss?: unknown;
    __cspViolations?: string[];
  }
}

/** A browser context for one person, watching for injected script and page errors. */
export async function person(browser: Browser, viewport: { width: number; height: number }) {
  const context: BrowserContext = await browser.newContext({
    baseURL: baseUrl(),
    viewport,
    deviceScaleFactor: 1,
    isMobile: viewport.width < 600,
    hasTouch: viewport.width < 600,
    locale: "en-US",
    timezoneId: "UTC",
    reducedMotion: "reduce",
  });
  context.setDefaultTimeout(15_000);
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__cspViolations?.push(`${event.violatedDirective} ${event.sample}`);
    });
  });
  const page = await context.newPage();
  const incidents: Incidents = { dialogs: [], errors: [], console: [] };
  page.on("dialog", (dialog) => {
    incidents.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => incidents.errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") incidents.console.push(message.text());
  });
  return { context, page, incidents };
}

/**
 * Fails when user-written text became markup or ran: the payloads set window.__xss, open dialogs
 * or add elements (img src=x, inline script, svg with onload) that encoded text never creates.
 */
export async function expectNoInjection(page: Page, incidents: Incidents): Promise<void> {
  const found = await page.evaluate(() => ({
    xss: window.__xss ?? null,
    csp: window.__cspViolations ?? [],
    elements: document.querySelectorAll(
      'img[src="x"], script:not([src]), [onerror], [onload], [onclick], iframe, object, embed',
    ).length,
    javascriptLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
  }));
  expect(found).toEqual({ xss: null, csp: [], elements: 0, javascriptLinks: 0 });
  expect(incidents.dialogs).toEqual([]);
  expect(incidents.errors).toEqual([]);
}

/** Runs axe on the page as it is and fails on any serious or critical violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({
      page: name,
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
    }));
  expect(serious).toEqual([]);
}

/** Waits until no list or page is still showing its loading placeholder. */
export async function settled(page: Page): Promise<void> {
  await page.locator("main h1").first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"], main > .loading'));
}

export async function signUp(
  page: Page,
  account: { handle: string; displayName: string; email: string },
): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("Handle", { exact: true }).fill(account.handle);
  await page.getByLabel("Display name (optional)").fill(account.displayName);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("heading", { level: 1, name: "Home" }).waitFor();
}

/**
 * The newest link to `page` mailed to `to`, waiting for it, on this run's origin (links name the
 * APP_URL of the users worker's wrangler.toml, npm start's port). The local flock sends no mail:
 * wrangler dev writes each mail's text to a file under .wrangler/tmp/email (README.md, "Mail in
 * local runs"), and the text names the address it was sent to.
 */
export async function mailedLink(
  to: string,
  page: "reset-password" | "verify-email",
  ms = 15_000,
): Promise<string> {
  const folder = path.join(root, ".wrangler", "tmp", "email");
  const pattern = new RegExp(`https?://\\S+/${page}#token=[0-9a-f]+`);
  const deadline = Date.now() + ms;
  for (;;) {
    const texts = existsSync(folder)
      ? readdirSync(folder, { recursive: true, encoding: "utf8" })
          .filter((file) => file.endsWith(".txt"))
          .map((file) => path.join(folder, file))
          .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
          .map((file) => readFileSync(file, "utf8"))
      : [];
    const link = texts
      .filter((text) => text.includes(to))
      .map((text) => pattern.exec(text)?.[0])
      .filter((found) => found !== undefined)
      .at(-1);
    if (link) {
      const { pathname, hash } = new URL(link);
      return `${baseUrl()}${pathname}${hash}`;
    }
    if (Date.now() > deadline) throw new Error(`no ${page} link mailed to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

type Json = Record<string, unknown>;

/** Calls the public API directly, for seeding what a test does not walk through in the browser. */
export async function apiCall<T>(method: string, path: string, token?: string, body?: Json) {
  const response = await fetch(`${baseUrl()}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 || response.status === 202 ? null : await response.json()) as T;
}
