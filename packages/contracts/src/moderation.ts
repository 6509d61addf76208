import { z } from "zod";
import { Id, Page, Role, Timestamp } from "./common";

/** The moderation actions kept in an audit log: by the service that performs each one. */
export const ModerationAction = z
  .enum([
    "suspend",
    "unsuspend",
    "grant_moderator",
    "revoke_moderator",
    "dismiss",
    "hide",
    "remove",
  ])
  .meta({ id: "ModerationAction" });
export type ModerationAction = z.infer<typeof ModerationAction>;

/** What a report or an audit entry is about. */
export const ModerationTargetKind = z
  .enum(["account", "post", "comment"])
  .meta({ id: "ModerationTargetKind" });
export type ModerationTargetKind = z.infer<typeof ModerationTargetKind>;

/** An optional note a moderator gives with an action; the audit log keeps it. */
const Reason = z.string().trim().min(1).max(500);

export const SuspendInput = z.object({ reason: Reason.optional() }).meta({ id: "SuspendInput" });
export type SuspendInput = z.infer<typeof SuspendInput>;

export const ResolveAction = z.enum(["dismiss", "hide", "remove"]).meta({ id: "ResolveAction" });
export type ResolveAction = z.infer<typeof ResolveAction>;

export const ResolveInput = z
  .object({ action: ResolveAction, reason: Reason.optional() })
  .meta({ id: "ResolveInput" });
export type ResolveInput = z.infer<typeof ResolveInput>;

/** An account as moderators see it: its role and whether it is suspended. */
export const ModeratedAccount = z
  .object({
    id: Id,
    handle: z.string(),
    role: Role,
    suspended: z.boolean(),
    suspendedAt: Timestamp.nullable(),
  })
  .meta({ id: "ModeratedAccount" });
export type ModeratedAccount = z.infer<typeof ModeratedAccount>;

/**
 * The prefix of a queue item's id names the service that owns the target and its reports, so the
 * gateway knows where a resolve goes: `post_<post id>` or `comment_<comment id>`.
 */
export const REPORT_ID_PREFIX = { post: "post_", comment: "comment_" } as const;

/** One reported (or held) post or comment in the moderation queue, with its open reports summed up. */
export const ReportCase = z
  .object({
    id: z.string().describe("`post_<id>` or `comment_<id>`: resolve it with this id"),
    targetKind: z.enum(["post", "comment"]),
    targetId: Id,
    /** The start of the target's text, as its author wrote it. */
    excerpt: z.string(),
    status: z.enum(["visible", "held", "hidden"]),
    reasons: z.array(z.string()),
    reportCount: z.number().int().describe("Open reports, counting or not"),
    firstReportedAt: Timestamp,
  })
  .meta({ id: "ReportCase" });
export type ReportCase = z.infer<typeof ReportCase>;

export const ReportCasePage = Page(ReportCase).meta({ id: "ReportCasePage" });
export type ReportCasePage = z.infer<typeof ReportCasePage>;

/** One moderator action, as the service that performed it recorded it in the same transaction. */
export const AuditEntry = z
  .object({
    id: Id,
    /** Null for an operator's action outside the API (`npm run moderator`). */
    moderatorId: Id.nullable(),
    action: ModerationAction,
    targetKind: ModerationTargetKind,
    targetId: Id,
    reason: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "AuditEntry" });
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditPage = Page(AuditEntry).meta({ id: "AuditPage" });
export type AuditPage = z.infer<typeof AuditPage>;
