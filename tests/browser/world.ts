// The small, fixed world the page tests and `npm run screenshots` show: three people, follows, a
// friend request, posts with tags, a share, likes and a comment thread, made through the public API.
import type { AuthResponse, Comment, Post } from "@flock/contracts";
import type { Browser, Page } from "playwright-core";
import { apiCall, mailedLink, PASSWORD, person, settled } from "./browser.ts";

export type World = {
  /** Each person's token, by handle. */
  tokens: Record<string, string>;
  /** Theo's post with a title, likes and a comment thread. */
  theoPost: string;
  /** When the seeding began, to freeze the pages' clocks at a fixed distance from it. */
  seededAt: number;
};

export async function seedWorld(): Promise<World> {
  const seededAt = Date.now();
  const tokens: Record<string, string> = {};
  const register = async (handle: string, displayName: string) => {
    const reply = await apiCall<AuthResponse>("POST", "/v1/auth/register", undefined, {
      handle,
      displayName,
      email: `${handle}@example.com`,
      password: PASSWORD,
    });
    tokens[handle] = reply.token;
    // Each confirms the email from the mailed link, so the pages show no banner asking them to.
    const link = new URL(await mailedLink(`${handle}@example.com`, "verify-email"));
    const token = new URLSearchParams(link.hash.slice(1)).get("token") ?? "";
    await apiCall("POST", "/v1/auth/verify-email", undefined, { token });
    return reply.token;
  };
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
  return { tokens, theoPost: post.id, seededAt };
}

/** Maya's browser, signed in by the token her sign-up returned. */
export async function asMaya(
  browser: Browser,
  world: World,
  viewport: { width: number; height: number },
) {
  const actor = await person(browser, viewport);
  await actor.context.addInitScript((token) => {
    localStorage.setItem("flock.token", token);
  }, world.tokens.maya ?? "");
  return actor;
}

/** Opens a page and waits until it has stopped loading. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await settled(page);
}
