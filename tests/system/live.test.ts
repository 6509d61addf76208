// Live updates through the public gateway with every worker running: tickets, and notifications and
// posts arriving over real WebSockets (DESIGN.md "Live updates", decision 0014).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestFlock, type TestFlock } from "../../scripts/test-flock.ts";
import { client, eventually, type User } from "./client";
import { TEST_JWT_SECRET } from "./harness";

// Authors with two followers are celebrities here, so one test can watch a merged post arrive.
let server: TestFlock;
let api: ReturnType<typeof client>;
let origin: URL;

beforeAll(async () => {
  server = await startTestFlock({
    "flock-gateway": { JWT_SECRET: TEST_JWT_SECRET },
    "flock-posts": { CELEBRITY_FOLLOWERS: "2" },
  });
  api = client(server);
  origin = (await server.listen()).url;
});
afterAll(async () => {
  await server?.close();
});

type Message = { type: string; [key: string]: unknown };

/** A socket opened with a fresh ticket: what it has heard, and how it closed. */
async function connect(user: User) {
  const issued = await api.post("/v1/live/ticket", undefined, user.token);
  expect(issued.status).toBe(200);
  const { ticket, url } = issued.body as { ticket: string; url: string };
  expect(new URL(url).searchParams.get("ticket")).toBe(ticket);
  const address = new URL(`/v1/live?ticket=${encodeURIComponent(ticket)}`, origin);
  address.protocol = "ws:";
  const socket = new WebSocket(address);
  const heard: Message[] = [];
  socket.addEventListener("message", (event) => {
    heard.push(JSON.parse(String(event.data)));
  });
  const closed = new Promise<number>((resolve) => {
    socket.addEventListener("close", (event) => resolve(event.code));
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve());
    socket.addEventListener("error", () => reject(new Error("the socket did not open")));
  });
  return { socket, heard, closed, ticket };
}

function upgrade(query: string) {
  return api.request("GET", `/v1/live${query}`, {
    headers: {
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    },
  });
}

const posts = (heard: Message[]) =>
  heard.filter((m) => m.type === "post").map((m) => (m.post as { id: string }).id);

async function follow(reader: User, author: User) {
  expect((await api.put(`/v1/users/${author.handle}/follow`, reader.token)).status).toBe(200);
}

/** Waits until the posts service has applied the follow: the author's earlier post is in the feed. */
async function followApplied(reader: User, author: User) {
  const marker = await api.post("/v1/posts", { body: "before" }, author.token);
  await eventually(async () => {
    const feed = await api.get("/v1/feed", reader.token);
    expect(feed.body.items.map((item: { id: string }) => item.id)).toContain(marker.body.id);
  });
}

describe("live tickets", () => {
  it("refuses to issue a ticket to a signed-out caller", async () => {
    const reply = await api.post("/v1/live/ticket");
    expect(reply.status).toBe(401);
    expect(reply.headers.get("content-type")).toContain("application/problem+json");
  });

  it("refuses an upgrade without a ticket, with a bad one and with a used one, as 401 problems", async () => {
    const ann = await api.signUp("ann");
    for (const query of [
      "",
      "?ticket=",
      "?ticket=garbage",
      `?ticket=${ann.id}.${"x".repeat(43)}`,
    ]) {
      const reply = await upgrade(query);
      expect(reply.status, query).toBe(401);
      expect(reply.body.status).toBe(401);
    }
    const { ticket } = await connect(ann);
    expect((await upgrade(`?ticket=${encodeURIComponent(ticket)}`)).status).toBe(401);
  });

  it("closes the socket of a session that signs out, and not the others'", async () => {
    const ann = await api.signUp("ann");
    const login = await api.post("/v1/auth/login", {
      login: ann.handle,
      password: "correct horse battery",
    });
    expect(login.status).toBe(200);
    const other = { ...ann, token: login.body.token as string };
    const leaving = await connect(ann);
    const staying = await connect(other);
    expect((await api.post("/v1/auth/logout", undefined, ann.token)).status).toBe(204);
    // The close frame arrives at once; Node fires "close" only when the connection is down (~10 s here).
    await eventually(async () => expect(leaving.socket.readyState).not.toBe(WebSocket.OPEN));
    expect(await leaving.closed).toBe(4001);
    expect(staying.socket.readyState).toBe(WebSocket.OPEN);
    staying.socket.close();
  });
});

describe("live pushes", () => {
  it("delivers a new notification, in the list's shape, and the unread count", async () => {
    const [ann, ben] = [await api.signUp("ann"), await api.signUp("ben")];
    const live = await connect(ann);
    await follow(ben, ann);
    await eventually(async () => {
      expect(live.heard.map((m) => m.type)).toEqual(["notification", "unread"]);
    });
    const listed = await api.get("/v1/notifications", ann.token);
    expect(live.heard[0]?.notification).toEqual(listed.body.items[0]);
    expect(live.heard[1]).toEqual({ type: "unread", count: listed.body.unreadCount });
    live.socket.close();
  });

  it("delivers a followed author's new post, as the feed shows it", async () => {
    const [ann, ben] = [await api.signUp("ann"), await api.signUp("ben")];
    await follow(ann, ben);
    await followApplied(ann, ben);
    const live = await connect(ann);
    const written = await api.post("/v1/posts", { body: "live!" }, ben.token);
    await eventually(async () => expect(posts(live.heard)).toEqual([written.body.id]));
    const feed = await api.get("/v1/feed", ann.token);
    const pushed = live.heard.find((m) => m.type === "post")?.post;
    expect(pushed).toEqual(feed.body.items[0]);
    live.socket.close();
  });

  it("delivers a celebrity's post, merged at read time, to a connected follower", async () => {
    const [star, ann, ben] = [
      await api.signUp("star"),
      await api.signUp("ann"),
      await api.signUp("ben"),
    ];
    await follow(ann, star);
    await follow(ben, star);
    await followApplied(ann, star);
    await followApplied(ben, star);
    const live = await connect(ann);
    const written = await api.post("/v1/posts", { body: "to my many fans" }, star.token);
    await eventually(async () => expect(posts(live.heard)).toEqual([written.body.id]));
    // Merged, not fanned out: the offline follower still reads it in the feed.
    const feed = await api.get("/v1/feed", ben.token);
    expect(feed.body.items[0].id).toBe(written.body.id);
    live.socket.close();
  });

  it("pushes nothing from a muted author, nor a notification across a block", async () => {
    const [ann, muted, friend] = [
      await api.signUp("ann"),
      await api.signUp("muted"),
      await api.signUp("friend"),
    ];
    await follow(ann, muted);
    await follow(ann, friend);
    await followApplied(ann, muted);
    await followApplied(ann, friend);
    expect((await api.put(`/v1/users/${muted.handle}/mute`, ann.token)).status).toBe(200);
    const blocker = await api.signUp("blocker");
    expect((await api.put(`/v1/users/${ann.handle}/block`, blocker.token)).status).toBe(200);
    // The mute and block reach posts and notifications through their inboxes.
    await eventually(async () => {
      const feed = await api.get("/v1/feed", ann.token);
      expect(
        feed.body.items.map((item: { author: { id: string } }) => item.author.id),
      ).not.toContain(muted.id);
    });
    const live = await connect(ann);
    const hidden = await api.post("/v1/posts", { body: "you muted me" }, muted.token);
    await api.post("/v1/posts", { body: `hello @${ann.handle}` }, blocker.token);
    // The control: a post and a mention that must arrive, written after the ones that must not.
    const shown = await api.post("/v1/posts", { body: `hi @${ann.handle}` }, friend.token);
    await eventually(async () => {
      expect(posts(live.heard)).toContain(shown.body.id);
      const actors = live.heard
        .filter((m) => m.type === "notification")
        .map((m) => (m.notification as { actor: { id: string } }).actor.id);
      expect(actors).toContain(friend.id);
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(posts(live.heard)).not.toContain(hidden.body.id);
    expect(JSON.stringify(live.heard)).not.toContain(blocker.id);
    live.socket.close();
  });
});
