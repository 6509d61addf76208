// The live socket (DESIGN.md "Live updates", decision 0014): while it is open, the unread badge and
// the home feed's "new posts" prompt follow its messages and nothing polls. It reconnects with a
// fresh ticket after a backoff; while it is down, the badge and the prompt poll as before.
import { api, type Notification, type Post } from "./api";
import type { operations } from "./api/schema";
import { pauseUnreadPolling, refreshUnread, session, setUnread } from "./session";
import { createStore } from "./store";

export type LiveMessage = operations["openLive"]["responses"][101]["content"]["application/json"];

/** Whether the socket is open now: the pollers stand down while it is. */
export const live = createStore({ connected: false });

type Listener = { post?: (post: Post) => void; notification?: (n: Notification) => void };
const listeners = new Set<Listener>();

/** Hears the new posts and notifications the socket brings; returns the unsubscribe. */
export function onLive(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The close code of a socket whose session ended: signing in again is the way back, not a retry. */
const SESSION_ENDED = 4001;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
const KEEPALIVE_MS = 30_000;

let socket: WebSocket | null = null;
let token: string | null = null;
let retryMs = FIRST_RETRY_MS;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let keepalive: ReturnType<typeof setInterval> | undefined;

function handle(message: LiveMessage): void {
  if (message.type === "unread") setUnread(message.count);
  for (const listener of listeners) {
    if (message.type === "post") listener.post?.(message.post);
    if (message.type === "notification") listener.notification?.(message.notification);
  }
}

function stop(): void {
  clearTimeout(retryTimer);
  clearInterval(keepalive);
  const open = socket;
  socket = null;
  open?.close(1000);
  live.set({ connected: false });
}

function retryLater(): void {
  clearTimeout(retryTimer);
  // Jittered so that a restart does not bring every client back in the same second.
  retryTimer = setTimeout(connect, retryMs * (0.5 + Math.random() / 2));
  retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
}

async function connect(): Promise<void> {
  const mine = token;
  if (!mine || typeof WebSocket === "undefined") return;
  let url: string;
  try {
    url = (await api.liveTicket()).url;
  } catch {
    retryLater();
    return;
  }
  // Signed out, or in as someone else, while the ticket was on its way.
  if (token !== mine) return;
  const opened = new WebSocket(url);
  socket = opened;
  opened.addEventListener("open", () => {
    retryMs = FIRST_RETRY_MS;
    live.set({ connected: true });
    // What changed while no socket was open.
    void refreshUnread();
    keepalive = setInterval(() => opened.send("ping"), KEEPALIVE_MS);
  });
  opened.addEventListener("message", (event) => {
    if (event.data === "pong") return;
    try {
      handle(JSON.parse(String(event.data)) as LiveMessage);
    } catch {
      // Not a message of ours: ignored.
    }
  });
  opened.addEventListener("close", (event) => {
    if (socket !== opened) return;
    clearInterval(keepalive);
    socket = null;
    live.set({ connected: false });
    if (event.code !== SESSION_ENDED && token === mine) retryLater();
  });
}

/** Follows the session: a socket while signed in, none while signed out. */
export function startLive(): void {
  const follow = () => {
    const current = session.get();
    const next = current.status === "ready" && current.user ? current.token : null;
    if (next === token) return;
    token = next;
    stop();
    retryMs = FIRST_RETRY_MS;
    if (next) void connect();
  };
  pauseUnreadPolling(() => live.get().connected);
  session.subscribe(follow);
  follow();
}
