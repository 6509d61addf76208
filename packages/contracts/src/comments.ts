import { z } from "zod";
import type { CallContext, Health, ListQuery } from "./common";
import { Id, mentionLimited, Page, Timestamp } from "./common";
import type { Result } from "./errors";
import type { AuditEntry, ReportCase, ResolveInput } from "./moderation";
import { ProfileSummary } from "./users";

export const CommentStatus = z.enum(["visible", "held", "hidden"]).meta({ id: "CommentStatus" });
export type CommentStatus = z.infer<typeof CommentStatus>;

const CommentBody = mentionLimited(z.string().trim().min(1, "must not be empty").max(2000));

export const CreateCommentInput = z
  .object({ body: CommentBody, parentId: Id.optional() })
  .meta({ id: "CreateCommentInput" });
export type CreateCommentInput = z.infer<typeof CreateCommentInput>;

export const UpdateCommentInput = z
  .object({ body: CommentBody })
  .meta({ id: "UpdateCommentInput" });
export type UpdateCommentInput = z.infer<typeof UpdateCommentInput>;

export const ReportInput = z
  .object({ reason: z.string().trim().min(1).max(500) })
  .meta({ id: "ReportInput" });
export type ReportInput = z.infer<typeof ReportInput>;

/** A comment as the comments service keeps it; the gateway composes the author. */
export type CommentRecord = {
  id: string;
  number: number;
  postId: string;
  parentId: string | null;
  authorId: string;
  body: string;
  status: CommentStatus;
  createdAt: string;
  updatedAt: string;
};

export const Comment = z
  .object({
    id: Id,
    number: z
      .number()
      .int()
      .describe(
        "The comment's sequence number: a short integer in the order comments are written, unique across comments and never reused",
      ),
    postId: Id,
    parentId: Id.nullable(),
    author: ProfileSummary,
    body: z.string(),
    status: CommentStatus,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "Comment" });
export type Comment = z.infer<typeof Comment>;

export const CommentPage = Page(Comment).meta({ id: "CommentPage" });
export type CommentPage = z.infer<typeof CommentPage>;

/**
 * The comments service as other workers call it. A `held` or `hidden` comment exists only for its
 * author and the post's author: anyone else gets not_found for it and never sees it listed.
 */
export interface CommentsRpc {
  /** not_found when the post does not exist; `status` says whether moderation held the comment. */
  createComment(
    ctx: CallContext,
    postId: string,
    input: CreateCommentInput,
  ): Promise<Result<CommentRecord>>;
  /** Oldest first. The service keeps no posts: an unknown post gives an empty page, not not_found. */
  listComments(
    ctx: CallContext,
    postId: string,
    query: ListQuery,
  ): Promise<Result<Page<CommentRecord>>>;
  /** A comment by its number, under the same visibility rules as its id; not_found otherwise. */
  commentByNumber(ctx: CallContext, number: number): Promise<Result<CommentRecord>>;
  /** By the comment's author only; the new body is moderated again. */
  updateComment(
    ctx: CallContext,
    commentId: string,
    input: UpdateCommentInput,
  ): Promise<Result<CommentRecord>>;
  /** By the comment's author or the post's author; replies stay, their parentId then dangling. */
  deleteComment(ctx: CallContext, commentId: string): Promise<Result<null>>;
  /** Accepted (202) whatever the outcome; validation for your own comment. */
  reportComment(ctx: CallContext, commentId: string, input: ReportInput): Promise<Result<null>>;
  /** By the post's author only: a held or hidden comment becomes visible; a visible one is returned as is. */
  approveComment(ctx: CallContext, commentId: string): Promise<Result<CommentRecord>>;
  /** Moderators only: reported comments, the oldest first report first. */
  listReportCases(ctx: CallContext, query: ListQuery): Promise<Result<Page<ReportCase>>>;
  /** Moderators only: closes a comment's open reports with an action, recorded in the audit log. */
  resolveReportCase(
    ctx: CallContext,
    commentId: string,
    input: ResolveInput,
  ): Promise<Result<null>>;
  /** Moderators only: this service's audit log, newest first. */
  listAudit(ctx: CallContext, query: ListQuery): Promise<Result<Page<AuditEntry>>>;
  health(): Promise<Health>;
}
