import { type CallContext, ProfileSummary } from "@flock/contracts";
import { callService } from "@flock/kit";
import { z } from "zod";
import type { Env } from "./env";
import type { ResolveHandles } from "./events";

const Profiles = z.array(ProfileSummary);

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
