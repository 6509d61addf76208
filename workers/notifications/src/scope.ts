import type { CallContext } from "@flock/contracts";
import { AppError, type Db } from "@flock/kit";

/** What every notifications operation works with: its database and the call it serves. */
export type Scope = { db: Db; ctx: CallContext };

/** The signed-in user's id: notifications are only ever their recipient's to read. */
export function actor(scope: Scope): string {
  if (!scope.ctx.actorId) throw new AppError("unauthorized", "Sign in first.");
  return scope.ctx.actorId;
}
