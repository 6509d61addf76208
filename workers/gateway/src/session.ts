import type { User } from "@flock/contracts";
import { AppError } from "@flock/kit";
import { issueToken, verifyToken } from "@flock/kit/auth";
import type { Env } from "./env";

type Secrets = Pick<Env, "JWT_SECRET" | "JWT_PREVIOUS_SECRET">;

const SCHEME = /^(?:Bearer|Token)\s+(\S+)$/i;

/**
 * The token an `Authorization` header presents: `Bearer <jwt>` as /v1 documents it, or `Token <jwt>`
 * as RealWorld's spec says (either works on both APIs). Null for a missing header or another shape.
 */
export function presentedToken(header: string | undefined): string | null {
  return SCHEME.exec(header?.trim() ?? "")?.[1] ?? null;
}

/**
 * The user a request acts for: null when it has no `Authorization` header (signed out). A header
 * whose token is not valid or has expired is a 401 even on public routes, so a client learns at once.
 */
export async function sessionUser(
  env: Secrets,
  header: string | undefined,
): Promise<string | null> {
  if (!header) return null;
  const token = presentedToken(header);
  const claims = token
    ? await verifyToken(token, {
        current: env.JWT_SECRET,
        previous: env.JWT_PREVIOUS_SECRET || undefined,
      })
    : null;
  if (!claims) throw new AppError("unauthorized", "The token is not valid or has expired.");
  return claims.sub;
}

/** A new token for a user who has just signed up, signed in or changed their handle (tokens name it). */
export function issueSession(env: Secrets, user: Pick<User, "id" | "handle">): Promise<string> {
  return issueToken({ sub: user.id, handle: user.handle }, env.JWT_SECRET);
}
