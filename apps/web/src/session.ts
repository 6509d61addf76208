import type { AuthResponse, User } from "./api";
import { ApiError, api, configureAuth } from "./api";
import { createStore } from "./store";
import { notify } from "./toasts";

export type Session = {
  /** `loading` until a stored token has been checked with GET /v1/me. */
  status: "loading" | "ready";
  token: string | null;
  user: User | null;
  unread: number;
};

const TOKEN_KEY = "flock.token";
const UNREAD_POLL_MS = 30_000;

function storedToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function storeToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled (private modes); the session then lasts as long as the tab.
  }
}

export const session = createStore<Session>({
  status: "loading",
  token: storedToken(),
  user: null,
  unread: 0,
});

configureAuth({
  token: () => session.get().token,
  onExpired: () => {
    if (!session.get().token) return;
    signOut();
    notify("Your session has ended. Please log in again.", "error");
  },
});

export function signIn(reply: AuthResponse): void {
  storeToken(reply.token);
  session.set({ status: "ready", token: reply.token, user: reply.user, unread: 0 });
  void refreshUnread();
}

/** Forgets the token here: for a session that has ended already (deleted account, refused token). */
export function signOut(): void {
  storeToken(null);
  session.set({ status: "ready", token: null, user: null, unread: 0 });
}

/**
 * Logs out: ends the session on the server, so the token is refused from now on even where it was
 * copied, then forgets it here. The token is forgotten even when the server cannot be reached.
 */
export async function logOut(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // Offline or already ended: either way this device is signed out below.
  }
  signOut();
}

export function setUser(user: User): void {
  session.set((current) => ({ ...current, user }));
}

export function setUnread(unread: number): void {
  session.set((current) => ({ ...current, unread }));
}

/** Asks for the unread count; quiet on failure, since the badge is only a hint. */
export async function refreshUnread(): Promise<void> {
  if (!session.get().token) return;
  try {
    const page = await api.notifications({ limit: 1 });
    setUnread(page.unreadCount);
  } catch {
    // The next poll tries again.
  }
}

let pollingPaused = () => false;

/** Stops the unread poll while `paused` says so (the live socket brings the count then). */
export function pauseUnreadPolling(paused: () => boolean): void {
  pollingPaused = paused;
}

/** Checks a stored token once at start-up, then keeps the unread badge fresh. */
export async function startSession(): Promise<void> {
  const { token } = session.get();
  if (token) {
    try {
      const user = await api.me();
      session.set({ status: "ready", token, user, unread: 0 });
      void refreshUnread();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        notify("Could not load your account. Reload the page to try again.", "error");
      }
      session.set((current) => ({ ...current, status: "ready", user: null }));
    }
  } else {
    session.set((current) => ({ ...current, status: "ready" }));
  }
  setInterval(() => {
    if (!pollingPaused()) void refreshUnread();
  }, UNREAD_POLL_MS);
  window.addEventListener("focus", () => void refreshUnread());
}
