import { execFileSync } from "node:child_process";
import path from "node:path";
import { image } from "@flock/testing/images";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  apiCall,
  baseUrl,
  expectAccessible,
  expectNoInjection,
  type Incidents,
  launch,
  mailedLink,
  PASSWORD,
  person,
  settled,
  signUp,
  viewports,
} from "./browser";

// Payloads that would run, open a dialog or add elements if any user-written field became markup.
const XSS = {
  img: `<img src=x onerror="window.__xss=1;alert(1)">`,
  script: "<script>window.__xss=1</script>",
  svg: `"><svg onload=alert(1)>`,
};

type Actor = { page: Page; incidents: Incidents; handle: string; name: string };

let browser: Browser;
let alice: Actor;
let bob: Actor;
let postPath = "";

const postBy = (page: Page, name: string) =>
  page.getByRole("article", { name: `Post by ${name}`, exact: true });
const comment = (page: Page, text: string) =>
  page.locator("article.comment").filter({ hasText: text }).last();

/** The status the API answers a token with: 401 once its session has ended. */
async function statusOf(path: string, token: string): Promise<number> {
  const response = await fetch(`${baseUrl()}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return response.status;
}

/** The token a page's session keeps in localStorage. */
const tokenIn = (page: Page) => page.evaluate(() => localStorage.getItem("flock.token") ?? "");

async function eventually(check: () => Promise<void>, ms = 20_000, reload?: Page): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (reload) {
        await reload.reload();
        await settled(reload);
      }
    }
  }
}

beforeAll(async () => {
  browser = await launch();
  const a = await person(browser, viewports.desktop);
  const b = await person(browser, viewports.phone);
  alice = { ...a, handle: "alice", name: "Alice Liddell" };
  // Bob's display name is itself an attack: it must show as text wherever his name appears.
  bob = { ...b, handle: "bob", name: `Bob ${XSS.img}` };
});

afterAll(async () => {
  await browser?.close();
});

describe("two people on flock", () => {
  it("explains a refused sign-up with the server's field errors", async () => {
    const { page } = alice;
    await page.goto("/signup");
    await page.getByLabel("Handle", { exact: true }).fill("no way!");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect
      .poll(() => page.getByRole("alert").first().textContent())
      .toContain("Some fields are not valid.");
    await page.getByText("must be 3 to 30 letters, digits or underscores").waitFor();
    await page.getByText("must be at least 8 characters").waitFor();
    expect(await page.getByLabel("Handle", { exact: true }).getAttribute("aria-invalid")).toBe(
      "true",
    );
  });

  it("signs both up through the form and shows an empty feed", async () => {
    await signUp(alice.page, {
      handle: alice.handle,
      displayName: alice.name,
      email: "alice@example.com",
    });
    await alice.page.getByText("Your feed is empty.").waitFor();
    await signUp(bob.page, { handle: bob.handle, displayName: bob.name, email: "bob@example.com" });
    await expectNoInjection(alice.page, alice.incidents);
    await expectNoInjection(bob.page, bob.incidents);
  });

  it("refuses a taken handle with a clear message", async () => {
    const context = await browser.newContext({ baseURL: baseUrl() });
    const stranger = await context.newPage();
    await stranger.goto("/signup");
    await stranger.getByLabel("Handle", { exact: true }).fill("BOB");
    await stranger.getByLabel("Email").fill("another@example.com");
    await stranger.getByLabel("Password").fill(PASSWORD);
    await stranger.getByRole("button", { name: "Sign up" }).click();
    await expect
      .poll(() => stranger.getByRole("alert").first().textContent())
      .toContain("already in use");
    await context.close();
  });

  it("lets alice follow bob from his profile, whose name shows as plain text", async () => {
    const { page } = alice;
    await page.goto(`/u/${bob.handle}`);
    await page.getByRole("heading", { level: 1, name: bob.name }).waitFor();
    const follow = page.getByRole("button", { name: "Follow", exact: true });
    expect(await follow.getAttribute("aria-pressed")).toBe("false");
    await follow.click();
    const following = page.getByRole("button", { name: "Following", exact: true });
    await following.waitFor();
    expect(await following.getAttribute("aria-pressed")).toBe("true");
    await page.getByRole("link", { name: /Followers\s*1/ }).waitFor();
    await expectNoInjection(page, alice.incidents);
  });

  it("posts with a title, a mention, a link and tags; the follower is told new posts arrived", async () => {
    await alice.page.goto("/");
    await settled(alice.page);

    const { page } = bob;
    const body = `Hi @${alice.handle}! ${XSS.img} ${XSS.svg} read https://example.com/a?b=1. #edge`;
    await page.getByLabel("What's happening?").fill(body);
    // Title and tags show once the composer is in use.
    await page.getByLabel("Title (optional)").fill(`Hello ${XSS.script}`);
    await page.getByText(`${body.length} / 5000`).waitFor();
    await page.getByLabel("Tags (optional)").fill("<b>bad</b>");
    await page.getByText(/is not a valid tag/).waitFor();
    expect(await page.getByRole("button", { name: "Post", exact: true }).isDisabled()).toBe(true);
    await page.getByLabel("Tags (optional)").fill("edge, workers");
    await page.getByRole("button", { name: "Post", exact: true }).click();
    const post = postBy(page, bob.name);
    await post.waitFor();
    expect(await post.getByRole("heading", { level: 2 }).textContent()).toBe(`Hello ${XSS.script}`);
    expect(await post.locator("p.text").textContent()).toBe(body);
    expect(await post.locator("a.mention").getAttribute("href")).toBe(`/u/${alice.handle}`);
    const external = post.locator('a[href^="https://example.com"]');
    expect(await external.getAttribute("rel")).toBe("noopener nofollow");
    expect(await external.getAttribute("href")).toBe("https://example.com/a?b=1");
    expect(await post.locator(".tags a").allTextContents()).toEqual(["#edge", "#workers"]);
    postPath = (await post.locator("a.permalink").getAttribute("href")) ?? "";
    expect(postPath).toMatch(/^\/p\/[0-9A-Z]{26}$/);
    await expectNoInjection(page, bob.incidents);

    // Alice's feed offers the new post without moving what she is reading.
    await eventually(async () => {
      await alice.page.evaluate(() => window.dispatchEvent(new Event("focus")));
      await alice.page.getByRole("button", { name: /New posts/ }).waitFor({ timeout: 2000 });
    });
    await alice.page.getByRole("button", { name: /New posts/ }).click();
    await postBy(alice.page, bob.name).getByText("Hello <script>").waitFor();
    await expectNoInjection(alice.page, alice.incidents);
  });

  it("posts an image with alt text, previewed, removable, and shown in the post with its size", async () => {
    const { page } = bob;
    await page.goto("/");
    await settled(page);
    await page.getByLabel("What's happening?").fill("a picture");
    const picker = page.getByLabel(/Add images/);
    await picker.setInputFiles([
      { name: "one.png", mimeType: "image/png", buffer: Buffer.from(image("png")) },
      { name: "two.gif", mimeType: "image/gif", buffer: Buffer.from(image("gif")) },
    ]);
    await page.getByLabel(/Image 2: describe it/).waitFor();
    // The second one is removed before posting; the first is described.
    await page.getByRole("button", { name: "Remove image 2" }).click();
    expect(await page.getByLabel(/Image 2: describe it/).count()).toBe(0);
    await page.getByText(/No description yet/).waitFor();
    await page.getByLabel(/Image 1: describe it/).fill("An orange square");
    await page.getByRole("button", { name: "Post", exact: true }).click();
    const shown = postBy(page, bob.name).first().getByRole("img", { name: "An orange square" });
    await shown.waitFor();
    expect(await shown.getAttribute("width")).toBe("12");
    expect(await shown.getAttribute("height")).toBe("10");
    expect(await shown.getAttribute("loading")).toBe("lazy");
    await shown.scrollIntoViewIfNeeded();
    // Rendered: the CSP lets flock's own images in, and the bytes decode.
    await expect
      .poll(() => shown.evaluate((img) => (img as HTMLImageElement).naturalWidth))
      .toBe(12);
    await expectNoInjection(page, bob.incidents);
    // The steps that follow expect Bob's first post alone: this one goes, with its image.
    const permalink = await postBy(page, bob.name)
      .first()
      .locator("a.permalink")
      .getAttribute("href");
    await apiCall("DELETE", `/v1/posts/${permalink?.split("/").pop()}`, await tokenIn(page));
    await page.reload();
    await settled(page);
  });

  it("finds the post and its author from the header's search box, the words marked as text", async () => {
    const { page } = alice;
    const box = page.getByRole("searchbox", { name: "Search" });
    // The index is fed by events: the post may take a moment to be found.
    await eventually(async () => {
      await box.fill("onerror");
      await box.press("Enter");
      await page.getByRole("heading", { level: 1, name: "Results for “onerror”" }).waitFor();
      await postBy(page, bob.name).waitFor({ timeout: 2000 });
    });
    const marks = postBy(page, bob.name).locator("p.text mark");
    expect(await marks.allTextContents()).toEqual(["onerror"]);
    // The body around the marks is still the text as written: nothing became markup.
    expect(await postBy(page, bob.name).locator("p.text").textContent()).toContain(XSS.img);
    await page.getByRole("link", { name: "People" }).click();
    await box.fill(bob.handle);
    await box.press("Enter");
    await page.getByRole("main").getByRole("link", { name: bob.name }).waitFor();
    await expectNoInjection(page, alice.incidents);
  });

  it("explains a post that mentions more than 50 people with the body's field error", async () => {
    const { page } = alice;
    await page.goto("/");
    const many = Array.from({ length: 51 }, (_, i) => `@reader_${i}`).join(" ");
    await page.getByLabel("What's happening?").fill(many);
    await page.getByRole("button", { name: "Post", exact: true }).click();
    await page.getByText("must mention at most 50 accounts").waitFor();
    expect(await page.getByLabel("What's happening?").getAttribute("aria-invalid")).toBe("true");
    await page.getByLabel("What's happening?").fill("");
  });

  it("likes at once, and rolls the like back when the server fails", async () => {
    const { page } = alice;
    const post = postBy(page, bob.name);
    const like = post.getByRole("button", { name: /^Like/ });
    const count = like.locator(".action-count");
    const answered = page.waitForResponse((response) => response.url().endsWith("/like"));
    await like.click();
    await expect.poll(() => like.getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => count.textContent()).toBe("1");
    await answered;

    // The posts service is down for this one request: the unlike shows at once, then rolls back.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/v1/posts/*/like", async (route) => {
      await held;
      await route.fulfill({
        status: 503,
        contentType: "application/problem+json",
        body: JSON.stringify({
          type: "https://flock.dev/problems/unavailable",
          title: "Service unavailable",
          status: 503,
          detail: "The posts service is not answering.",
          requestId: "browser-test",
        }),
      });
    });
    await like.click();
    // The answer is held back: what shows now is the optimistic state.
    await expect.poll(() => like.getAttribute("aria-pressed")).toBe("false");
    await expect.poll(() => count.textContent()).toBe("0");
    release();
    await page.getByRole("alert").getByText("The posts service is not answering.").waitFor();
    await expect.poll(() => like.getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => count.textContent()).toBe("1");
    await page.unroute("**/v1/posts/*/like");
  });

  it("shares a post, which then heads the sharer's feed", async () => {
    const { page } = alice;
    const post = postBy(page, bob.name);
    const share = post.getByRole("button", { name: /^Share/ });
    await share.click();
    await post.getByRole("button", { name: /^Shared/ }).waitFor();
    await page.getByText("Shared with your followers.").waitFor();
    const first = page.locator("ul.posts > li").first();
    expect(await first.locator("article").getAttribute("aria-label")).toBe(`Post by ${alice.name}`);
    await first.locator(".shared-post").getByText("Hello <script>").waitFor();
  });

  it("threads a comment and a reply on the post page, as text", async () => {
    await alice.page.goto(postPath);
    await alice.page.getByRole("heading", { level: 1, name: `Hello ${XSS.script}` }).waitFor();
    const text = `<b>so</b> true @${bob.handle} ${XSS.script}`;
    await alice.page.getByLabel("Add a comment").fill(text);
    await alice.page.getByRole("button", { name: "Comment", exact: true }).click();
    const mine = comment(alice.page, "so</b> true");
    await mine.waitFor();
    expect(await mine.locator("p.text").textContent()).toBe(text);

    await bob.page.goto(postPath);
    const theirs = comment(bob.page, "so</b> true");
    await theirs.getByRole("button", { name: "Reply" }).click();
    await bob.page.getByLabel(`Reply to ${alice.name}`).fill(`thanks @${alice.handle} ${XSS.svg}`);
    await bob.page.getByRole("button", { name: "Reply", exact: true }).last().click();
    const reply = theirs.locator("ul.replies article.comment").filter({ hasText: "thanks" });
    await reply.waitFor();
    expect(await reply.locator("p.text").textContent()).toBe(`thanks @${alice.handle} ${XSS.svg}`);
    await expectNoInjection(alice.page, alice.incidents);
    await expectNoInjection(bob.page, bob.incidents);
  });

  it("holds a spammy comment until the post's author approves it", async () => {
    await alice.page.getByLabel("Add a comment").fill("cheap viagra, ask me");
    await alice.page.getByRole("button", { name: "Comment", exact: true }).click();
    const held = comment(alice.page, "cheap viagra");
    await held.getByText("Held for review").waitFor();

    await bob.page.reload();
    const pending = comment(bob.page, "cheap viagra");
    await pending.getByText("Held for review").waitFor();
    await pending.getByRole("button", { name: "Approve" }).click();
    await bob.page.getByText("Comment approved").waitFor();
    await pending.getByText("Held for review").waitFor({ state: "detached" });
  });

  it("reports someone else's comment, and deletes one's own after confirming", async () => {
    const { page } = alice;
    await page.reload();
    const reply = comment(page, "thanks @alice");
    await reply.getByRole("button", { name: "Report" }).click();
    await page.getByLabel("Why are you reporting this comment?").fill("rude");
    await page.getByRole("button", { name: "Send report" }).click();
    await page.getByText("The comment was reported").waitFor();

    const spam = comment(page, "cheap viagra");
    await spam.getByRole("button", { name: "Delete" }).click();
    await spam.getByRole("button", { name: "Delete comment" }).click();
    await page.getByText("Comment deleted.").waitFor();
    await page.reload();
    await comment(page, "so</b> true").waitFor();
    expect(await page.locator("article.comment").filter({ hasText: "cheap viagra" }).count()).toBe(
      0,
    );
  });

  it("delivers notifications with an unread badge, and marks them read", async () => {
    const { page } = bob;
    await page.goto("/notifications");
    await eventually(
      async () => {
        const list = page.getByRole("list", { name: "Notifications" });
        for (const text of [
          "followed you",
          "liked your post",
          "shared your post",
          // Alice's comment also mentions bob, but one event notifies each person once, and
          // "comment" outranks "mention".
          "commented on your post",
        ]) {
          await list.getByText(text).first().waitFor({ timeout: 500 });
        }
      },
      20_000,
      page,
    );
    const badge = page.getByTestId("unread-badge");
    expect(Number.parseInt((await badge.textContent()) ?? "", 10)).toBeGreaterThanOrEqual(4);
    await page.getByRole("button", { name: "Mark all as read" }).click();
    await badge.waitFor({ state: "detached" });
    await page.getByText("Nothing unread.").waitFor();
    await expectNoInjection(page, bob.incidents);

    await alice.page.goto("/notifications");
    await eventually(
      async () => {
        await alice.page.getByText("replied to your comment").first().waitFor({ timeout: 500 });
        await alice.page.getByText("mentioned you").first().waitFor({ timeout: 500 });
      },
      20_000,
      alice.page,
    );
    await expectNoInjection(alice.page, alice.incidents);
  });

  it("makes friends: a request sent, seen and accepted", async () => {
    await alice.page.goto(`/u/${bob.handle}`);
    await alice.page.getByRole("button", { name: "Add friend" }).click();
    await alice.page.getByText("Request sent", { exact: true }).waitFor();

    const { page } = bob;
    await page.goto("/notifications");
    const requests = page.getByRole("list", { name: "Requests to you" });
    await requests.getByText(alice.name).waitFor();
    await requests.getByRole("button", { name: "Accept" }).click();
    await page.getByText("are now friends").waitFor();

    await alice.page.reload();
    await alice.page.getByRole("button", { name: /Unfriend/ }).waitFor();
    await page.goto(`/u/${bob.handle}/friends`);
    await page.getByRole("list", { name: "Friends" }).getByText(alice.name).waitFor();
  });

  it("says why a declined friend request cannot be sent again at once", async () => {
    const carol = await apiCall<{ token: string }>("POST", "/v1/auth/register", undefined, {
      handle: "carol",
      email: "carol@example.com",
      password: PASSWORD,
    });
    const { page } = alice;
    await page.goto("/u/carol");
    await page.getByRole("button", { name: "Add friend" }).click();
    await page.getByText("Request sent", { exact: true }).waitFor();
    const incoming = await apiCall<{ items: Array<{ id: string }> }>(
      "GET",
      "/v1/me/friend-requests?direction=incoming",
      carol.token,
    );
    await apiCall("POST", `/v1/me/friend-requests/${incoming.items[0]?.id}/decline`, carol.token);
    await page.reload();
    await page.getByRole("button", { name: "Add friend" }).click();
    await page.getByText("@carol declined your friend request").waitFor();
  });

  it("changes settings, shown as text, with the server's reasons when refused", async () => {
    const { page } = alice;
    await page.goto("/settings");
    // An avatar is an upload, checked by its bytes: a text file is refused with the server's reason.
    await page.getByLabel("Avatar").setInputFiles({
      name: "alice.png",
      mimeType: "image/png",
      buffer: Buffer.from("<svg onload=alert(1)>"),
    });
    await page.getByText("Only JPEG, PNG, WebP and GIF images can be uploaded.").waitFor();

    const name = `Alice <i>${XSS.svg}`.slice(0, 50);
    const bio = `${XSS.script} I like #edge and @${bob.handle}`;
    await page.getByLabel("Display name").fill(name);
    await page.getByLabel("Bio").fill(bio);
    await page.getByLabel("Avatar").setInputFiles({
      name: "alice.png",
      mimeType: "image/png",
      buffer: Buffer.from(image("png")),
    });
    await page.getByRole("img", { name: "Your avatar" }).waitFor();
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Your settings were saved.").waitFor();

    await page.getByRole("link", { name: "Profile", exact: true }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    expect(await page.locator("img.avatar").first().getAttribute("src")).toMatch(
      /^\/media\/[0-9A-Z]{26}$/,
    );
    expect(await page.locator(".bio").textContent()).toBe(bio);
    expect(await page.locator(".bio a.hashtag").getAttribute("href")).toBe("/t/edge");
    await expectNoInjection(page, alice.incidents);

    await bob.page.goto(postPath);
    await comment(bob.page, "so</b> true").getByText(name).waitFor();
    await expectNoInjection(bob.page, bob.incidents);
  });

  it("asks for the current password before it changes the email", async () => {
    const { page } = alice;
    await page.goto("/settings");
    await page.getByLabel("Email").fill("alice.liddell@example.com");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Confirm this with your password.").waitFor();
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Your settings were saved.").waitFor();
    expect(await page.getByLabel("Current password").inputValue()).toBe("");
  });

  it("lists the signed-in devices, and signs out one of them, then all the others", async () => {
    const { page } = alice;
    const login = () =>
      apiCall<{ token: string }>("POST", "/v1/auth/login", undefined, {
        login: alice.handle,
        password: PASSWORD,
      });
    const others = [await login(), await login()];
    await page.goto("/settings");
    const devices = page.getByRole("list", { name: "Signed-in devices" });
    await devices.getByText("This device").waitFor();
    const listed = await devices.getByRole("listitem").count();
    expect(listed).toBeGreaterThanOrEqual(3);
    await devices
      .getByRole("button", { name: /^Sign out/ })
      .first()
      .click();
    await page.getByText("That device is signed out.").waitFor();
    expect(await devices.getByRole("listitem").count()).toBe(listed - 1);
    await page.getByRole("button", { name: "Sign out everywhere else" }).click();
    await page.getByText("Every other device is signed out.").waitFor();
    expect(await devices.getByRole("listitem").count()).toBe(1);
    for (const { token } of others) expect(await statusOf("/v1/me", token)).toBe(401);
    expect(await statusOf("/v1/me", await tokenIn(page))).toBe(200);
    await expectNoInjection(page, alice.incidents);
  });

  it("logs out, ending the session, refuses a wrong password, and logs in with the email", async () => {
    const { page } = bob;
    const token = await tokenIn(page);
    expect(await statusOf("/v1/me", token)).toBe(200);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("link", { name: "Log in" }).first().waitFor();
    // The token is refused from now on, wherever a copy of it went.
    expect(await statusOf("/v1/me", token)).toBe(401);
    await page.goto("/notifications");
    await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
    await page.getByLabel("Handle or email").fill("bob@example.com");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/\S/);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    // Back where the sign-in started.
    await page.getByRole("heading", { level: 1, name: "Notifications" }).waitFor();
  });

  it("mutes from a post's menu, blocks from a profile, and lifts both from settings", async () => {
    const { page } = bob;
    await page.goto(`/u/${alice.handle}`);
    await page.locator("details.post-menu summary").first().click();
    await page.getByRole("button", { name: `Mute @${alice.handle}` }).click();
    await page.getByText(/You muted/).waitFor();

    await page.reload();
    await page.getByRole("button", { name: "Muted · Unmute" }).waitFor();
    await page.getByRole("button", { name: "Block", exact: true }).click();
    await page
      .getByRole("group", { name: /^Block / })
      .getByRole("button", { name: "Block" })
      .click();
    await page.getByText(/You blocked/).waitFor();
    await page.getByRole("button", { name: "Blocked · Unblock" }).waitFor();
    // Nobody to follow across a block, and none of her posts to read.
    expect(await page.getByRole("button", { name: "Follow" }).count()).toBe(0);
    await eventually(
      async () => {
        await page.getByText("No posts yet.").waitFor({ timeout: 1_000 });
      },
      20_000,
      page,
    );
    await alice.page.goto(`/u/${bob.handle}`);
    await alice.page.getByText("Blocks you").waitFor();

    await page.goto("/settings");
    const blocked = page.getByRole("list", { name: "Blocked accounts" });
    await blocked.getByRole("button", { name: /^Unblock/ }).click();
    await page.getByText("You block nobody.").waitFor();
    const muted = page.getByRole("list", { name: "Muted accounts" });
    await muted.getByRole("button", { name: /^Unmute/ }).click();
    await page.getByText("You mute nobody.").waitFor();
    await expectNoInjection(page, bob.incidents);
  });

  it("lets a moderator hide a reported post from the queue and suspend its author", async () => {
    const dana = await person(browser, viewports.desktop);
    await signUp(dana.page, {
      handle: "dana",
      displayName: "Dana Moderator",
      email: "dana@example.com",
    });
    // The role as an operator grants it, on the state this flock runs on; a new sign-in carries it.
    execFileSync(
      process.execPath,
      ["scripts/moderator.ts", "grant", "dana", "--persist-to", inject("flockState")],
      { cwd: path.resolve(import.meta.dirname, "../.."), env: process.env },
    );
    const signIn = await apiCall<{ token: string }>("POST", "/v1/auth/login", undefined, {
      login: "dana",
      password: PASSWORD,
    });
    await dana.page.evaluate((token) => localStorage.setItem("flock.token", token), signIn.token);

    const bobToken = await tokenIn(bob.page);
    const reported = await apiCall<{ id: string }>("POST", "/v1/posts", bobToken, {
      body: "A post that breaks the rules of the room",
    });
    const { page } = alice;
    await page.goto(`/p/${reported.id}`);
    await page.getByRole("button", { name: "Report" }).first().click();
    await page.getByLabel("Why are you reporting this post?").fill("off topic");
    await page.getByRole("button", { name: "Send report" }).click();
    await page.getByText("The post was reported").waitFor();

    await dana.page.reload();
    await dana.page.getByRole("link", { name: "Moderation" }).click();
    const item = dana.page
      .getByRole("article", { name: "Reported post" })
      .filter({ hasText: "breaks the rules of the room" });
    await item.getByText("off topic").waitFor();
    await item.getByRole("button", { name: "Hide" }).click();
    await dana.page.getByText("Hidden from everyone but its author.").waitFor();
    expect(await statusOf(`/v1/posts/${reported.id}`, await tokenIn(page))).toBe(404);

    await dana.page.goto(`/u/${bob.handle}`);
    await dana.page.getByRole("button", { name: "Suspend" }).click();
    await dana.page.getByText("Suspended", { exact: true }).waitFor();
    const refused = await fetch(`${baseUrl()}/v1/posts`, {
      method: "POST",
      headers: { authorization: `Bearer ${bobToken}`, "content-type": "application/json" },
      body: JSON.stringify({ body: "still posting" }),
    });
    expect(refused.status).toBe(403);
    await dana.page.getByRole("button", { name: "Unsuspend" }).click();
    await dana.page.getByText(`@${bob.handle} is no longer suspended.`).waitFor();

    // The operations page: every service's health with its figures, which only moderators get.
    await dana.page.getByRole("link", { name: "Operations" }).click();
    await dana.page.getByRole("heading", { level: 1, name: "Operations" }).waitFor();
    const services = dana.page.getByRole("table", { name: "Each service's health" });
    for (const service of ["users", "posts", "comments", "notifications", "media", "search"])
      await services.getByRole("row", { name: new RegExp(`^${service} `) }).waitFor();
    await services.getByRole("columnheader", { name: "Dead letters" }).waitFor();
    await expectAccessible(dana.page, "the operations page");
    await expectNoInjection(dana.page, dana.incidents);
  });

  it("deletes an account only after the handle is typed and the password confirmed", async () => {
    const { page } = alice;
    await page.goto("/settings");
    await page.getByRole("button", { name: "Delete account…" }).click();
    const confirm = page.getByRole("button", { name: "Delete my account" });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel(/Type your handle/).fill(alice.handle);
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel("Your password").fill("not the password");
    await confirm.click();
    await page.getByText("That password is wrong.").waitFor();
    await page.getByLabel("Your password").fill(PASSWORD);
    await confirm.click();
    await page.getByText("Your account was deleted.").waitFor();
    await page.getByRole("link", { name: "Sign up" }).first().waitFor();

    await bob.page.goto(`/u/${alice.handle}`);
    await bob.page.getByRole("heading", { level: 1, name: "Profile not found" }).waitFor();
    await page.goto("/login");
    await page.getByLabel("Handle or email").fill(alice.handle);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").first().waitFor();
    await expectNoInjection(page, alice.incidents);
    await expectNoInjection(bob.page, bob.incidents);
  });

  it("confirms the email from the mailed link, and the banner goes", async () => {
    const { page } = bob;
    await page.goto("/");
    const banner = page.getByRole("complementary", { name: "Address not confirmed" });
    await banner.waitFor();
    await expectAccessible(page, "the verify-email banner");
    await banner.getByRole("button", { name: "Send it again" }).click();
    await banner.getByText("A new link is on its way.").waitFor();
    await page.goto(await mailedLink("bob@example.com", "verify-email"));
    await page.getByText("Your email is confirmed.").waitFor();
    // The token left the address bar once read.
    expect(new URL(page.url()).hash).toBe("");
    await page.goto("/");
    await settled(page);
    expect(await banner.count()).toBe(0);
  });

  it("resets a forgotten password from the mailed link, which signs every device out", async () => {
    const stranger = await person(browser, viewports.phone);
    const { page } = stranger;
    const bobsToken = await tokenIn(bob.page);
    await page.goto("/login");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.getByRole("heading", { level: 1, name: "Forgot your password?" }).waitFor();
    await page.getByLabel("Email").fill("bob@example.com");
    await page.getByRole("button", { name: "Mail me a link" }).click();
    await page.getByText("If an account has this address").waitFor();

    await page.goto(await mailedLink("bob@example.com", "reset-password"));
    await page.getByRole("heading", { level: 1, name: "Choose a new password" }).waitFor();
    await page.getByLabel("New password").fill("bobs new passphrase");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByText("Your password is changed").waitFor();
    await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
    expect(await statusOf("/v1/me", bobsToken)).toBe(401);

    await page.getByLabel("Handle or email").fill("bob@example.com");
    await page.getByLabel("Password").fill("bobs new passphrase");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { level: 1, name: "Home" }).waitFor();
    await expectNoInjection(page, stranger.incidents);
  });
});
