import type { CallContext } from "@flock/contracts";
import { AppError, type Db } from "@flock/kit";

/** What every comments operation works with: its database and the call it serves. */
export type Scope = { db: Db; ctx: CallContext };

/** The acting user's id; writing, reporting and moderating comments need one. */
export function actor(scope: Scope): string {
  if (!scope.ctx.actorId) throw new AppError("unauthorized", "Sign in first.");
  return scope.ctx.actorId;
}
