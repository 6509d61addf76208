import {
  type AuditEntry,
  type ListQuery,
  type ModeratedAccount,
  type Page,
  type SuspendInput,
  SuspendInput as SuspendInputSchema,
} from "@flock/contracts";
import {
  AppError,
  actor,
  audit,
  changedJustBefore,
  enqueueIfChanged,
  listAudit,
  makeEvent,
  nowIso,
  parseInput,
} from "@flock/kit";
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { moderationAudit, outbox, users } from "./db/schema";
import { findByHandle, findById, type UserRow } from "./profiles";
import type { Scope } from "./scope";

function toModerated(row: UserRow): ModeratedAccount {
  return {
    id: row.id,
    handle: row.handle,
    role: row.role,
    suspended: row.suspendedAt !== null,
    suspendedAt: row.suspendedAt,
  };
}

/**
 * The acting moderator, checked against this service's own record: the users service owns roles,
 * so it does not take the role a call carries on trust, and a revoked moderator is refused at once.
 */
async function moderator(scope: Scope): Promise<UserRow> {
  const row = await findById(scope, actor(scope));
  if (row.role !== "moderator") throw new AppError("forbidden", "Only moderators can do this.");
  return row;
}

export async function getModeratedAccount(scope: Scope, handle: string): Promise<ModeratedAccount> {
  await moderator(scope);
  return toModerated(await findByHandle(scope, handle));
}

/**
 * Suspends an account: from then on its sign-ins still work and it can read, but the gateway and
 * every service that owns its writes refuse them (403). Suspending a suspended account changes
 * nothing; a moderator cannot be suspended (revoke the role first, outside the API).
 */
export async function suspendAccount(
  scope: Scope,
  handle: string,
  raw: SuspendInput,
): Promise<ModeratedAccount> {
  return setSuspension(scope, handle, parseInput(SuspendInputSchema, raw), true);
}

/** Lifts a suspension; unsuspending an account that is not suspended changes nothing. */
export async function unsuspendAccount(
  scope: Scope,
  handle: string,
  raw: SuspendInput,
): Promise<ModeratedAccount> {
  return setSuspension(scope, handle, parseInput(SuspendInputSchema, raw), false);
}

async function setSuspension(
  scope: Scope,
  handle: string,
  input: SuspendInput,
  suspend: boolean,
): Promise<ModeratedAccount> {
  const { db } = scope;
  const me = await moderator(scope);
  const target = await findByHandle(scope, handle);
  if (suspend && target.role === "moderator")
    throw new AppError("forbidden", "A moderator cannot be suspended; revoke the role first.");
  const event = makeEvent("users", scope.ctx, suspend ? "user.suspended" : "user.unsuspended", {
    userId: target.id,
  });
  // The change, its event and its audit entry in one transaction, each only when the suspension
  // actually changed: a second moderator racing the first records and announces nothing.
  await db.batch([
    db
      .update(users)
      .set({ suspendedAt: suspend ? nowIso() : null })
      .where(
        and(
          eq(users.id, target.id),
          suspend ? isNull(users.suspendedAt) : isNotNull(users.suspendedAt),
        ),
      ),
    enqueueIfChanged(db, outbox, event),
    audit(
      db,
      moderationAudit,
      {
        moderatorId: me.id,
        action: suspend ? "suspend" : "unsuspend",
        targetKind: "account",
        targetId: target.id,
        reason: input.reason ?? null,
      },
      { when: changedJustBefore },
    ),
  ]);
  return toModerated(await findById(scope, target.id));
}

/** This service's audit log (suspensions and role changes), newest first. */
export async function listModerationAudit(
  scope: Scope,
  query: ListQuery,
): Promise<Page<AuditEntry>> {
  await moderator(scope);
  return listAudit(scope.db, moderationAudit, query);
}
