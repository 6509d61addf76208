import { mkdirSync } from "node:fs";
import path from "node:path";
import type { AuthResponse, Comment, Post } from "@flock/contracts";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiCall,
  expectAccessible,
  expectNoInjection,
  launch,
  PASSWORD,
  person,
  settled,
  viewports,
} from "./browser";

const screenshots = path.resolve(import.meta.dirname, "../../docs/screenshots");

let browser: Browser;
const tokens: Record<string, string> = {};
let theoPost = "";
let seededAt = 0;

async function register(handle: string, displayName: string) {
  const reply = await apiCall<AuthResponse>("POST", "/v1/auth/register", undefined, {
    handle,
    displayName,
    email: `${handle}@example.com`,
    password: PASSWORD,
  });
  tokens[handle] = reply.token;
  return reply.token;
}

/** A small, fixed world through the public API, so every run's screenshots show the same thing. */
async function seed() {
  seededAt = Date.now();
  const maya = await register("maya", "Maya Okafor");
  const theo = await register("theo", "Theo Lindqvist");
  const sam = await register("sam", "Sam Rivera");
  await apiCall("PUT", "/v1/users/maya/follow", theo);
  await apiCall("PUT", "/v1/users/theo/follow", maya);
  await apiCall("PUT", "/v1/users/sam/follow", maya);
  await apiCall("POST", "/v1/users/theo/friend-request", maya);

  const view = await apiCall<Post>("POST", "/v1/posts", sam, {
    body: "Morning light over the harbour. Worth the 6 am alarm.",
    tags: ["photo"],
  });
  const post = await apiCall<Post>("POST", "/v1/posts", theo, {
    title: "Shipping the edge mesh",
    body: "Five workers, one gateway, zero servers to patch. Thanks @maya for the review!\n\nNotes: https://example.com/notes",
    tags: ["edge", "workers"],
  });
  theoPost = post.id;
  await apiCall("POST", `/v1/posts/${view.id}/shares`, maya, { body: "This view!" });
  await apiCall("POST", "/v1/posts", maya, {
    body: "Anyone up for coffee near the station tomorrow? #coffee",
    tags: ["coffee"],
  });
  await apiCall("PUT", `/v1/posts/${post.id}/like`, maya);
  await apiCall("PUT", `/v1/posts/${post.id}/like`, sam);
  const first = await apiCall<Comment>("POST", `/v1/posts/${post.id}/comments`, maya, {
    body: "Congrats! The outbox pattern paid off.",
  });
  await apiCall("POST", `/v1/posts/${post.id}/comments`, theo, {
    body: "@maya it did: no lost events so far.",
    parentId: first.id,
  });
  await apiCall("POST", `/v1/posts/${post.id}/comments`, sam, {
    body: "Bookmarking this for the weekend.",
  });
  await apiCall("PATCH", "/v1/me", theo, {
    bio: "Builds small things on the edge. Coffee first. #edge",
  });
}

/** Maya's browser, signed in by the token her sign-up returned. */
async function asMaya(viewport: { width: number; height: number }) {
  const actor = await person(browser, viewport);
  await actor.context.addInitScript((token) => {
    localStorage.setItem("flock.token", token);
  }, tokens.maya ?? "");
  return actor;
}

async function open(page: Page, url: string) {
  await page.goto(url);
  await settled(page);
}

beforeAll(async () => {
  browser = await launch();
  await seed();
  mkdirSync(screenshots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

describe("the main pages", () => {
  it("have no serious or critical accessibility violations, signed in or out", async () => {
    for (const [width, viewport] of Object.entries(viewports)) {
      const { page, incidents, context } = await asMaya(viewport);
      for (const url of [
        "/",
        `/p/${theoPost}`,
        "/u/theo",
        "/u/theo/followers",
        "/notifications",
        "/settings",
        "/explore",
        "/t/edge",
      ]) {
        await open(page, url);
        await expectAccessible(page, `${url} (${width}, signed in)`);
      }
      await expectNoInjection(page, incidents);
      await context.close();

      const visitor = await person(browser, viewport);
      for (const url of ["/", "/login", "/signup", `/p/${theoPost}`, "/u/nobody_here"]) {
        await open(visitor.page, url);
        await expectAccessible(visitor.page, `${url} (${width}, signed out)`);
      }
      await visitor.context.close();
    }
  });

  it("load the feed without layout shifts", async () => {
    const { page, context } = await asMaya(viewports.phone);
    await context.addInitScript(() => {
      const shifts: number[] = [];
      Object.assign(window, { __shifts: shifts });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          const shift = entry as PerformanceEntry & { value: number; hadRecentInput: boolean };
          if (!shift.hadRecentInput) shifts.push(shift.value);
        }
      }).observe({ type: "layout-shift", buffered: true });
    });
    // A slow feed, so the placeholders are on screen long enough to matter.
    await page.route("**/v1/feed?*", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    await open(page, "/");
    await page.getByRole("article").first().waitFor();
    await page.waitForTimeout(300);
    const shift = await page.evaluate(() =>
      ((window as unknown as { __shifts: number[] }).__shifts ?? []).reduce((a, b) => a + b, 0),
    );
    // 0.1 is the "good" threshold of Cumulative Layout Shift.
    expect(shift).toBeLessThan(0.1);
    await context.close();
  });

  it("can be used by keyboard: skip link, like with the space bar, focus after navigation", async () => {
    const { page, context } = await asMaya(viewports.desktop);
    await open(page, "/");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");

    const like = page
      .getByRole("article", { name: "Post by Theo Lindqvist", exact: true })
      .getByRole("button", { name: /^Like/ });
    await like.focus();
    const before = await like.getAttribute("aria-pressed");
    await page.keyboard.press("Space");
    await expect.poll(() => like.getAttribute("aria-pressed")).not.toBe(before);

    await page.getByRole("link", { name: "Explore" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Explore" }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("page-title");
    await context.close();
  });

  it("are captured at phone and desktop widths into docs/screenshots", async () => {
    for (const [width, viewport] of Object.entries(viewports)) {
      const { page, context } = await asMaya(viewport);
      // Three hours after the seeding: every time reads "3 hr. ago", so the pictures only change
      // when the app does.
      await page.clock.setFixedTime(seededAt + 3 * 3600_000);
      for (const [name, url] of [
        ["feed", "/"],
        ["post", `/p/${theoPost}`],
        ["profile", "/u/theo"],
      ] as const) {
        await open(page, url);
        // No caret or hover state in the pictures.
        await page.mouse.move(0, 0);
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        await page.screenshot({ path: path.join(screenshots, `${name}-${width}.png`) });
      }
      await context.close();
    }
  });
});
