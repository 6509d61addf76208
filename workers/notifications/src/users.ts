import { type CallContext, ProfileSummary } from "@flock/contracts";
import { callService, eventContext } from "@flock/kit";
import { z } from "zod";
import type { Env } from "./env";
import type { ResolveHandles } from "./events";
import type { Profiles as LookUpProfiles, Push } from "./live";

const Profiles = z.array(ProfileSummary);

/** The profiles of users by id, for the actors of live pushes. A failure throws (the push sends none). */
export function profileLookup(users: Env["USERS"], ctx: CallContext): LookUpProfiles {
  return (ids) =>
    callService(ctx, "users", (call) => users.getProfiles(call, ids), {
      idempotent: true,
      schema: Profiles,
    });
}

/**
 * The live service as the notifications domain pushes through it; a no-op where no live worker is
 * bound. A push with a cause is made in that event's context (its trace), any other in `ctx`.
 */
export function livePush(env: Env, ctx: CallContext): Push {
  const { LIVE } = env;
  if (!LIVE) return async () => [];
  return async (userIds, message, cause) =>
    (
      await callService(
        cause ? eventContext(cause) : ctx,
        "live",
        (call) => LIVE.push(call, userIds, message),
        { idempotent: false },
      )
    ).connected;
}

/**
 * Resolves handles through the users service. A failure throws, so the queue retries the event
 * rather than applying it without its mentions.
 */
export function handleResolver(users: Env["USERS"], ctx: CallContext): ResolveHandles {
  return async (handles) => {
    const profiles = await callService(
      ctx,
      "users",
      (call) => users.getProfilesByHandles(call, handles),
      { idempotent: true, schema: Profiles },
    );
    return profiles.map((profile) => profile.id);
  };
}
