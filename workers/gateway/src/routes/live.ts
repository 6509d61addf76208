import { LiveMessage, LiveQuery, LiveTicket, ticketUser } from "@flock/contracts";
import { AppError, describeError } from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import { signedIn } from "../middleware";
import { anyone, bearer, json, problems, router } from "../openapi";
import { call, callContext } from "../rpc";

const tags = ["live"];

export const live = router()
  .openapi(
    createRoute({
      method: "post",
      path: "/ticket",
      operationId: "createLiveTicket",
      tags,
      summary: "A single-use ticket (valid 60 s) to open the live socket for this session",
      description:
        "Browsers cannot send a bearer token with a WebSocket upgrade, so the socket is opened with " +
        "this ticket instead: `GET /v1/live?ticket=…` (the `url` answered). Ending the session closes its sockets.",
      security: bearer,
      middleware: [signedIn],
      responses: { 200: json(LiveTicket, "A ticket and the URL to open"), ...problems(401, 429) },
    }),
    async (c) => {
      const { ticket } = await call(c, "live", c.env.LIVE.issueTicket(callContext(c)));
      const url = new URL("/v1/live", c.req.url);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      url.searchParams.set("ticket", ticket);
      return c.json({ ticket, url: url.toString() }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      operationId: "openLive",
      tags,
      summary: "Upgrade to the live WebSocket with a ticket from POST /v1/live/ticket",
      description:
        'Each message is one JSON text `LiveMessage`: `{type: "notification", notification}`, ' +
        '`{type: "unread", count}` or `{type: "post", post}` (a new post in your home timeline). ' +
        "Delivery is best effort; the REST lists stay the source of truth. A missing, unknown, used or " +
        "expired ticket is a 401. The server answers the text `ping` with `pong`.",
      // The ticket, not a token, opens it: a browser cannot send a header with an upgrade.
      security: anyone,
      request: { query: LiveQuery },
      responses: {
        // OpenAPI cannot describe a socket: its messages are documented as the upgrade's content.
        101: json(
          LiveMessage,
          "Switching to the WebSocket protocol; each message is a LiveMessage",
        ),
        ...problems(400, 401, 503),
      },
    }),
    async (c) => {
      const { ticket } = c.req.valid("query");
      const userId = ticketUser(ticket);
      if (!ticket || !userId) throw new AppError("unauthorized", "Open the socket with a ticket.");
      if (c.req.header("Upgrade")?.toLowerCase() !== "websocket")
        throw new AppError("bad_request", "This route only upgrades to a WebSocket.");
      let answer: Response;
      try {
        answer = await c.env.LIVE.fetch(c.req.raw);
      } catch (error) {
        logFailure(c.get("requestId"), "the live service did not answer an upgrade", error);
        throw new AppError("unavailable", "The live service is unavailable; try again.");
      }
      if (answer.status !== 101 || !answer.webSocket)
        throw new AppError("unauthorized", "This ticket is unknown, used or expired.");
      // Connected: the posts service learns it, so a celebrity's post reaches this reader (decision 0014).
      const ctx = callContext(c);
      c.executionCtx.waitUntil(
        c.env.POSTS.notePresence(ctx, userId).then(
          (result) => {
            if (!result.ok) logFailure(ctx.requestId, "presence not noted", result.error.code);
          },
          (error) => logFailure(ctx.requestId, "presence not noted", error),
        ),
      );
      return switched(answer.webSocket);
    },
  );

/**
 * The upgrade's answer: the socket itself. The route documents the socket's messages as the 101's
 * JSON content, so OpenAPIHono types the answer as that JSON; a socket has no such body to type.
 */
function switched(webSocket: WebSocket) {
  return new Response(null, { status: 101, webSocket }) as unknown as TypedResponse<
    LiveMessage,
    101,
    "json"
  >;
}

function logFailure(requestId: string, message: string, error: unknown) {
  console.error(JSON.stringify({ level: "warn", requestId, message, error: describeError(error) }));
}
