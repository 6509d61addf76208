import { DurableObject } from "cloudflare:workers";
import { type EndedSessions, type IssuedTicket, LIVE_TICKET_MS } from "@flock/contracts";
import { endSpan, startSpan } from "@flock/kit";
import type { Env } from "./env";

/** The tag each socket carries: the session whose ticket opened it, so ending the session finds it. */
const sessionTag = (sessionId: string) => `session:${sessionId}`;

/** The close code an ended session's sockets get: the web app does not reconnect after it. */
export const SESSION_ENDED = 4001;

/**
 * One user's live connection point. It keeps no socket list of its own: the runtime's set of
 * accepted sockets (`ctx.getWebSockets`) survives hibernation, so an object woken by a push after
 * being evicted still finds every socket. Its SQLite storage holds only unredeemed tickets, each as
 * the SHA-256 of its secret half, with the session it is bound to and when it expires.
 */
export class UserLive extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Keep-alives are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** A new single-use ticket for one of this user's sessions; expired ones are swept on the way. */
  async issueTicket(userId: string, sessionId: string): Promise<IssuedTicket> {
    const now = Date.now();
    const secret = randomSecret();
    this.#createTickets();
    this.ctx.storage.sql.exec("DELETE FROM tickets WHERE expires_at <= ?", now);
    this.ctx.storage.sql.exec(
      "INSERT INTO tickets (hash, session_id, expires_at) VALUES (?, ?, ?)",
      await sha256(secret),
      sessionId,
      now + LIVE_TICKET_MS,
    );
    return {
      ticket: `${userId}.${secret}`,
      expiresAt: new Date(now + LIVE_TICKET_MS).toISOString(),
    };
  }

  /**
   * The upgrade of GET /v1/live: redeems the ticket (deleted whether or not it is still valid, so it
   * works once) and accepts the socket, tagged with the ticket's session. 401 for a ticket that is
   * unknown, used or expired; the gateway turns any refusal into its problem answer.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket")
      return new Response(null, { status: 426 });
    const secret = secretOf(new URL(request.url).searchParams.get("ticket"));
    if (!secret || !this.#hasTickets()) return new Response(null, { status: 401 });
    const [row] = this.ctx.storage.sql
      .exec<{ session_id: string; expires_at: number }>(
        "DELETE FROM tickets WHERE hash = ? RETURNING session_id, expires_at",
        await sha256(secret),
      )
      .toArray();
    if (!row || row.expires_at <= Date.now()) return new Response(null, { status: 401 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [sessionTag(row.session_id)]);
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Sends one message (JSON text) to each open socket; answers how many it reached. A push span,
   * child of the caller's (LiveService.push).
   */
  push(message: string, traceparent?: string): number {
    const span = startSpan({
      parent: traceparent,
      name: "live.UserLive.push",
      service: "live",
      kind: "push",
      metrics: this.env.METRICS,
    });
    let sent = 0;
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(message);
        sent += 1;
      } catch {
        // A socket closing meanwhile: its close handler tidies it up.
      }
    }
    endSpan(span, "ok", { sent });
    return sent;
  }

  /** Closes the sockets, and forgets the tickets, of the sessions that ended; answers how many sockets closed. */
  endSessions(ended: EndedSessions): number {
    const ends = (sessionId: string) =>
      "sessionId" in ended ? sessionId === ended.sessionId : sessionId !== ended.except;
    if (this.#hasTickets())
      this.ctx.storage.sql.exec(
        `DELETE FROM tickets WHERE session_id ${"sessionId" in ended ? "=" : "<>"} ?`,
        "sessionId" in ended ? ended.sessionId : (ended.except ?? ""),
      );
    let closed = 0;
    for (const socket of this.ctx.getWebSockets()) {
      const tag = this.ctx.getTags(socket).find((name) => name.startsWith("session:")) ?? "";
      if (!ends(tag.slice("session:".length))) continue;
      socket.close(SESSION_ENDED, "session ended");
      closed += 1;
    }
    return closed;
  }

  // Made with the first ticket, not in the constructor: a push to a user who never connected (a
  // notification) then wakes an object that stores nothing.
  #createTickets(): void {
    this.ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS tickets (hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, expires_at INTEGER NOT NULL)",
    );
  }

  #hasTickets(): boolean {
    return (
      this.ctx.storage.sql
        .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tickets'")
        .toArray().length > 0
    );
  }

  // Clients send nothing but keep-alives, which the auto-response answers; anything else is ignored.
  override webSocketMessage(): void {}

  override webSocketClose(socket: WebSocket, code: number, reason: string): void {
    try {
      socket.close(code, reason);
    } catch {
      // Already closed by the runtime.
    }
  }

  override webSocketError(): void {}
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function secretOf(ticket: string | null): string | null {
  const secret = ticket?.split(".")[1] ?? "";
  return /^[A-Za-z0-9_-]{43}$/.test(secret) ? secret : null;
}
