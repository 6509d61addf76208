// The live socket in a real browser: a notification raises the unread badge, and a followed
// author's post raises the "new posts" prompt, with no reload and no request for them meanwhile.
import type { AuthResponse, Post } from "@flock/contracts";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, launch, PASSWORD, person, settled, viewports } from "./browser";

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

async function register(name: string): Promise<AuthResponse> {
  const handle = `${name}_${Date.now() % 1e7}`;
  return apiCall<AuthResponse>("POST", "/v1/auth/register", undefined, {
    handle,
    email: `${handle}@example.com`,
    password: PASSWORD,
  });
}

describe("live updates", () => {
  it("show a new notification and a new post without a reload or a poll", async () => {
    const reader = await register("reader");
    const writer = await register("writer");
    await apiCall("PUT", `/v1/users/${writer.user.handle}/follow`, reader.token);
    // The follow has reached the posts service once the writer's earlier post is in the feed.
    const earlier = await apiCall<Post>("POST", "/v1/posts", writer.token, { body: "earlier" });
    await expect
      .poll(async () => {
        const feed = await apiCall<{ items: Post[] }>("GET", "/v1/feed", reader.token);
        return feed.items.map((post) => post.id);
      })
      .toContain(earlier.id);

    const { page, context, incidents } = await person(browser, viewports.desktop);
    await context.addInitScript(
      (token) => localStorage.setItem("flock.token", token),
      reader.token,
    );
    // When the socket opened, and each request for notifications or the feed after it.
    let openedAt = Number.POSITIVE_INFINITY;
    const asked: Array<{ at: number; url: string }> = [];
    page.on("websocket", (socket) => {
      if (socket.url().includes("/v1/live")) openedAt = Date.now();
    });
    page.on("request", (request) => {
      if (/\/v1\/(notifications|feed)/.test(request.url()))
        asked.push({ at: Date.now(), url: request.url() });
    });
    await page.goto("/");
    await settled(page);
    // The app asks for the unread count once the socket is open: from then on it listens.
    await expect
      .poll(() => asked.some((entry) => entry.at > openedAt && entry.url.includes("notifications")))
      .toBe(true);
    await page.waitForTimeout(300);

    const before = asked.length;
    await apiCall("PUT", `/v1/users/${reader.user.handle}/follow`, writer.token);
    await expect.poll(() => page.getByTestId("unread-badge").textContent()).toContain("1");
    await apiCall("POST", "/v1/posts", writer.token, { body: "fresh from the socket" });
    await page.getByRole("button", { name: "New posts · show them" }).waitFor();
    // Both came over the socket: nothing asked the API for them.
    expect(asked.slice(before)).toEqual([]);
    await page.getByRole("button", { name: "New posts · show them" }).click();
    await page.getByText("fresh from the socket").waitFor();
    expect(incidents.errors).toEqual([]);
  });
});
