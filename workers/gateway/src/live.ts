import type { EndedSessions } from "@flock/contracts";
import { describeError } from "@flock/kit";
import type { Context } from "hono";
import type { AppEnv } from "./env";
import { call, callContext } from "./rpc";

/**
 * Closes the live sockets of sessions that just ended, next to each place that ends sessions (where
 * forgetSession / forgetSessionsOf refuse their tokens). Waited for, so the socket is closed when the
 * answer goes out, but never a reason to fail the request: the session has ended either way, and a
 * socket only carries pushes, whose reads the ended token can no longer make.
 */
export async function closeLive(c: Context<AppEnv>, ended: EndedSessions): Promise<void> {
  try {
    await call(c, "live", c.env.LIVE.endSessions(callContext(c), ended));
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "warn",
        requestId: c.get("requestId"),
        message: "could not close the live sockets of ended sessions",
        error: describeError(error),
      }),
    );
  }
}
