// `npm run screenshots`: the pictures in docs/screenshots (the README shows them), taken of the
// fixed world of world.ts at phone and desktop widths, the clock frozen three hours after the
// seeding so every time reads "3 hr. ago" and a picture only changes when the app does. Starts
// flock as the browser tests do, on a free port with fresh state, and stops it when done.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { launch, useBaseUrl, viewports } from "./browser.ts";
import { startBrowserFlock } from "./global-setup.ts";
import { asMaya, open, seedWorld } from "./world.ts";

const screenshots = path.resolve(import.meta.dirname, "../../docs/screenshots");

const flock = await startBrowserFlock();
const browser = await launch();
try {
  useBaseUrl(flock.url);
  const world = await seedWorld();
  mkdirSync(screenshots, { recursive: true });
  for (const [width, viewport] of Object.entries(viewports)) {
    const { page, context } = await asMaya(browser, world, viewport);
    await page.clock.setFixedTime(world.seededAt + 3 * 3600_000);
    for (const [name, url] of [
      ["feed", "/"],
      ["post", `/p/${world.theoPost}`],
      ["profile", "/u/theo"],
    ] as const) {
      await open(page, url);
      // No caret or hover state in the pictures.
      await page.mouse.move(0, 0);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const file = path.join(screenshots, `${name}-${width}.png`);
      await page.screenshot({ path: file });
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await flock.stop();
}
