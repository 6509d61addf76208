// The main pages of the web app over a small fixed world (world.ts): each renders its main content
// without errors in the console, has no serious accessibility violations, does not shift as it
// loads, and works by keyboard. `npm run screenshots` takes the README's pictures of the same world.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, expectNoInjection, launch, person, viewports } from "./browser";
import { asMaya, open, seedWorld, type World } from "./world";

let browser: Browser;
let world: World;

beforeAll(async () => {
  browser = await launch();
  world = await seedWorld();
});

afterAll(async () => {
  await browser?.close();
});

describe("the main pages", () => {
  it("render their main content with no errors in the console", async () => {
    // Each page, signed in as Maya, and what its main part must show from the seeded world.
    const pages: Array<[url: string, heading: string, shows: string]> = [
      ["/", "Home", "Shipping the edge mesh"],
      [`/p/${world.theoPost}`, "Shipping the edge mesh", "Bookmarking this for the weekend."],
      ["/u/theo", "Theo Lindqvist", "Builds small things on the edge."],
      ["/u/theo/followers", "Theo Lindqvist", "Maya Okafor"],
      ["/notifications", "Notifications", "Theo Lindqvist"],
      ["/settings", "Settings", "Profile and account"],
      ["/explore", "Explore", "Morning light over the harbour."],
      ["/t/edge", "#edge", "Shipping the edge mesh"],
      ["/search?q=edge", "Results for “edge”", "Shipping the edge mesh"],
    ];
    const { page, incidents, context } = await asMaya(browser, world, viewports.desktop);
    for (const [url, heading, shows] of pages) {
      await open(page, url);
      await expect
        .poll(() => page.locator("main h1").first().textContent(), { message: url })
        .toContain(heading);
      await page.locator("main").getByText(shows).first().waitFor();
    }
    await open(page, "/settings");
    await expect.poll(() => page.getByLabel("Display name").inputValue()).toBe("Maya Okafor");
    expect(incidents.console).toEqual([]);
    expect(incidents.errors).toEqual([]);
    await context.close();

    const visitor = await person(browser, viewports.phone);
    for (const [url, heading] of [
      ["/", "Welcome to flock"],
      ["/login", "Log in"],
      ["/signup", "Create your account"],
      [`/p/${world.theoPost}`, "Shipping the edge mesh"],
    ] as const) {
      await open(visitor.page, url);
      await expect
        .poll(() => visitor.page.locator("main h1").first().textContent(), { message: url })
        .toContain(heading);
    }
    expect(visitor.incidents.console).toEqual([]);
    expect(visitor.incidents.errors).toEqual([]);
    await visitor.context.close();
  });

  it("have no serious or critical accessibility violations, signed in or out", async () => {
    for (const [width, viewport] of Object.entries(viewports)) {
      const { page, incidents, context } = await asMaya(browser, world, viewport);
      for (const url of [
        "/",
        `/p/${world.theoPost}`,
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
      for (const url of ["/", "/login", "/signup", `/p/${world.theoPost}`, "/u/nobody_here"]) {
        await open(visitor.page, url);
        await expectAccessible(visitor.page, `${url} (${width}, signed out)`);
      }
      await visitor.context.close();
    }
  });

  it("load the feed without layout shifts", async () => {
    const { page, context } = await asMaya(browser, world, viewports.phone);
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
    const { page, context } = await asMaya(browser, world, viewports.desktop);
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
});
