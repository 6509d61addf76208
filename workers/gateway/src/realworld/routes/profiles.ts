import type { Profile } from "@flock/contracts";
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { signedIn } from "../../middleware";
import { call, callContext, read } from "../../rpc";
import { about } from "../errors";
import { type RealWorldProfile, toProfile } from "../mapping";

function profileOf(profile: Profile): { profile: RealWorldProfile } {
  return { profile: toProfile({ ...profile, following: profile.viewer?.following ?? false }) };
}

/** Profiles and follows: the users service's own. */
export const profiles = new Hono<AppEnv>()
  .get("/:username", async (c) => {
    const profile = await about(
      "profile",
      read(c, "users", () => c.env.USERS.getProfile(callContext(c), c.req.param("username"))),
    );
    return c.json(profileOf(profile), 200);
  })
  .post("/:username/follow", signedIn, async (c) => {
    const profile = await about(
      "profile",
      call(c, "users", c.env.USERS.follow(callContext(c), c.req.param("username"))),
    );
    return c.json(profileOf(profile), 200);
  })
  .delete("/:username/follow", signedIn, async (c) => {
    const profile = await about(
      "profile",
      call(c, "users", c.env.USERS.unfollow(callContext(c), c.req.param("username"))),
    );
    return c.json(profileOf(profile), 200);
  });
