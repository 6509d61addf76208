import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { LiveMessage } from "@flock/contracts";
import { newId } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { SESSION_ENDED } from "./user-live";

const live = exports.LiveService;

function ctxOf(userId: string | null, sessionId?: string) {
  return { requestId: "test", actorId: userId, ...(sessionId ? { sessionId } : {}) };
}

async function ticketFor(userId: string, sessionId: string): Promise<string> {
  const issued = await live.issueTicket(ctxOf(userId, sessionId));
  if (!issued.ok) throw new Error(`no ticket: ${issued.error.code}`);
  return issued.value.ticket;
}

function upgrade(
  ticket: string | null,
  headers: Record<string, string> = { Upgrade: "websocket" },
) {
  const query = ticket === null ? "" : `?ticket=${encodeURIComponent(ticket)}`;
  return exports.default.fetch(new Request(`http://live/v1/live${query}`, { headers }));
}

/** Opens a socket with a ticket and records what it hears, and how it closes. */
async function connect(ticket: string) {
  const response = await upgrade(ticket);
  expect(response.status).toBe(101);
  const socket = response.webSocket;
  if (!socket) throw new Error("no socket");
  socket.accept();
  const heard: LiveMessage[] = [];
  const closed = new Promise<number>((resolve) =>
    socket.addEventListener("close", (event) => resolve(event.code)),
  );
  socket.addEventListener("message", (event) => {
    heard.push(JSON.parse(String(event.data)));
  });
  return { socket, heard, closed };
}

async function until(check: () => boolean) {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const unread = (count: number): LiveMessage => ({ type: "unread", count });

describe("live tickets", () => {
  it("opens a socket once per ticket: a second upgrade with it is refused", async () => {
    const [user, session] = [newId(), newId()];
    const ticket = await ticketFor(user, session);
    await connect(ticket);
    expect((await upgrade(ticket)).status).toBe(401);
  });

  it("refuses an upgrade without a ticket, with a malformed one and with a forged secret", async () => {
    const user = newId();
    await ticketFor(user, newId());
    expect((await upgrade(null)).status).toBe(401);
    expect((await upgrade("nonsense")).status).toBe(401);
    expect((await upgrade(`${user}.${"A".repeat(43)}`)).status).toBe(401);
  });

  it("refuses a ticket older than 60 s", async () => {
    const [user, session] = [newId(), newId()];
    const ticket = await ticketFor(user, session);
    // Time does not pass in workerd between two I/O events; age the stored ticket instead.
    await runInDurableObject(env.USER_LIVE.getByName(user), (_, state) => {
      state.storage.sql.exec("UPDATE tickets SET expires_at = ?", Date.now() - 1);
    });
    expect((await upgrade(ticket)).status).toBe(401);
  });

  it("does not spend a ticket on a request that is not an upgrade", async () => {
    const [user, session] = [newId(), newId()];
    const ticket = await ticketFor(user, session);
    expect((await upgrade(ticket, {})).status).toBe(426);
    await connect(ticket);
  });

  it("issues no ticket without a signed-in session", async () => {
    const anonymous = await live.issueTicket(ctxOf(null));
    expect(anonymous.ok ? null : anonymous.error.code).toBe("unauthorized");
    const sessionless = await live.issueTicket(ctxOf(newId()));
    expect(sessionless.ok ? null : sessionless.error.code).toBe("unauthorized");
  });
});

describe("live pushes", () => {
  it("delivers a message to every socket of a user, and answers who was connected", async () => {
    const [user, offline, session] = [newId(), newId(), newId()];
    const first = await connect(await ticketFor(user, session));
    const second = await connect(await ticketFor(user, newId()));
    const pushed = await live.push(ctxOf(null), [user, offline], unread(3));
    expect(pushed).toEqual({ ok: true, value: { connected: [user] } });
    await until(() => first.heard.length === 1 && second.heard.length === 1);
    expect(first.heard).toEqual([unread(3)]);
  });

  it("delivers a notification and a post in the shapes of the REST lists", async () => {
    const [user, author] = [newId(), newId()];
    const { heard } = await connect(await ticketFor(user, newId()));
    const summary = { id: author, handle: "ada", displayName: "Ada", avatarUrl: null };
    const now = new Date().toISOString();
    const notification: LiveMessage = {
      type: "notification",
      notification: {
        id: newId(),
        type: "follow",
        actor: summary,
        postId: null,
        commentId: null,
        read: false,
        createdAt: now,
      },
    };
    const post: LiveMessage = {
      type: "post",
      post: {
        id: newId(),
        author: summary,
        body: "hello",
        title: null,
        description: null,
        tags: [],
        media: [],
        status: "visible",
        createdAt: now,
        updatedAt: now,
        likeCount: 0,
        commentCount: 0,
        shareCount: 0,
        viewer: { liked: false, shared: false },
      },
    };
    expect((await live.push(ctxOf(null), [user], notification)).ok).toBe(true);
    expect((await live.push(ctxOf(null), [user], post)).ok).toBe(true);
    await until(() => heard.length === 2);
    expect(heard).toEqual([notification, post]);
  });

  it("stores nothing for a user who never asked for a ticket", async () => {
    const user = newId();
    expect(await live.push(ctxOf(null), [user], unread(1))).toEqual({
      ok: true,
      value: { connected: [] },
    });
    await live.endSessions(ctxOf(null), { userId: user });
    await runInDurableObject(env.USER_LIVE.getByName(user), (_, state) => {
      const tables = state.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'tickets'")
        .toArray();
      expect(tables).toEqual([]);
    });
  });

  it("refuses a message of no known shape", async () => {
    const pushed = await live.push(ctxOf(null), [newId()], {
      type: "gossip",
    } as unknown as LiveMessage);
    expect(pushed.ok ? null : pushed.error.code).toBe("validation");
  });

  // The plugin cannot evict an object, so this proves the part that makes hibernation safe: the
  // object keeps no socket list in memory. A fresh instance (what waking after eviction gives)
  // finds the socket through the runtime's own set, with its session tag.
  it("reaches a socket through the runtime's hibernation-surviving set, not instance memory", async () => {
    const [user, session] = [newId(), newId()];
    const { heard } = await connect(await ticketFor(user, session));
    const stub = env.USER_LIVE.getByName(user);
    await runInDurableObject(stub, (_, state) => {
      expect(state.getWebSockets().map((socket) => state.getTags(socket))).toEqual([
        [`session:${session}`],
      ]);
    });
    await live.push(ctxOf(null), [user], unread(1));
    await until(() => heard.length === 1);
  });
});

describe("ended sessions", () => {
  it("closes the sockets of an ended session and keeps the others", async () => {
    const [user, ended, kept] = [newId(), newId(), newId()];
    const gone = await connect(await ticketFor(user, ended));
    const staying = await connect(await ticketFor(user, kept));
    const result = await live.endSessions(ctxOf(null), { userId: user, sessionId: ended });
    expect(result).toEqual({ ok: true, value: { closed: 1 } });
    expect(await gone.closed).toBe(SESSION_ENDED);
    await live.push(ctxOf(null), [user], unread(2));
    await until(() => staying.heard.length === 1);
    expect(gone.heard).toEqual([]);
  });

  it("closes every session's sockets but the one kept, and voids their unredeemed tickets", async () => {
    const [user, current, other] = [newId(), newId(), newId()];
    const otherSocket = await connect(await ticketFor(user, other));
    const unredeemed = await ticketFor(user, other);
    const mine = await connect(await ticketFor(user, current));
    await live.endSessions(ctxOf(null), { userId: user, except: current });
    expect(await otherSocket.closed).toBe(SESSION_ENDED);
    expect((await upgrade(unredeemed)).status).toBe(401);
    await live.push(ctxOf(null), [user], unread(0));
    await until(() => mine.heard.length === 1);
  });
});
