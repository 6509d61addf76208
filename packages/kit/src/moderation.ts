import {
  type CallContext,
  extractMentions,
  type Page,
  REPORT_ID_PREFIX,
  type ReportCase,
} from "@flock/contracts";
import { AppError, actor } from "./errors";
import { toPage } from "./pagination";

/** Why a post or comment was held for review. */
export type ModerationReason = "denied_term" | "link_spam" | "excessive_mentions" | "repeated_text";

export type Verdict = { status: "visible" | "held"; reasons: ModerationReason[] };

/** Words and phrases that hold a post or comment when they appear as whole words, in any case. */
export const DENIED_TERMS = [
  "buy followers",
  "casino bonus",
  "free crypto",
  "kill yourself",
  "viagra",
] as const;

export const MAX_LINKS = 2;
export const MAX_MENTIONS = 5;
export const REPEATED_RUN = 20;

// A phrase matches across any run of whitespace, so "free   crypto" or a line break does not evade it.
const deniedTerm = new RegExp(
  `\\b(?:${DENIED_TERMS.map((term) => term.replaceAll(" ", "\\s+")).join("|")})\\b`,
  "iu",
);
const link = /\bhttps?:\/\/|\bwww\./giu;
// Whitespace is left out: blank lines and indentation are layout, not spam.
const repeatedCharacter = new RegExp(`(\\S)\\1{${REPEATED_RUN - 1},}`, "u");
// Zero-width space, non-joiner and joiner, word joiner, byte-order mark and soft hyphen: invisible
// when shown, so "vi\u200bagra" reads as the word it hides.
const invisible = /[\u200B-\u200D\u2060\uFEFF\u00AD]/gu;

/**
 * Text as the rules compare it: NFKC-folded, so full-width and mathematical look-alikes ("ｖｉａｇｒａ",
 * "𝐯𝐢𝐚𝐠𝐫𝐚") become the letters they imitate, with invisible characters removed.
 */
export function foldForModeration(text: string): string {
  return text.normalize("NFKC").replace(invisible, "");
}

/**
 * Decides whether a post or comment is shown at once or held for review, on its folded text. The
 * rules are deliberately plain; `repeatsRecent` says the same author posted this exact body in the
 * same place a moment ago, which only the owning service's database can tell.
 */
export function moderate(text: string, context: { repeatsRecent?: boolean } = {}): Verdict {
  const reasons: ModerationReason[] = [];
  const body = foldForModeration(text);
  if (deniedTerm.test(body)) reasons.push("denied_term");
  if ((body.match(link)?.length ?? 0) > MAX_LINKS) reasons.push("link_spam");
  // Distinct handles, as notified: naming the same person twice reaches no one new.
  if (extractMentions(body).length > MAX_MENTIONS) reasons.push("excessive_mentions");
  if (context.repeatsRecent || repeatedCharacter.test(body)) reasons.push("repeated_text");
  return { status: reasons.length > 0 ? "held" : "visible", reasons };
}

/** How many counting reports hide a visible post or comment. */
export const REPORTS_TO_HIDE = 3;

/** How old an account must be for its reports to count toward hiding: throwaway accounts do not. */
export const REPORTER_MIN_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Whether a report by the call's actor counts toward hiding: only when the users service vouched
 * for an account at least a day old (a call without a standing counts for nothing).
 */
export function reportCounts(ctx: CallContext, now = Date.now()): boolean {
  const since = ctx.standing ? Date.parse(ctx.standing.createdAt) : Number.NaN;
  return Number.isFinite(since) && since <= now - REPORTER_MIN_AGE_MS;
}

/**
 * The acting moderator's id: a moderation call from anyone else is refused (403), whatever the
 * gateway checked, since the role comes with the call as the users service vouched for it.
 */
export function moderator(scope: { ctx: CallContext }): string {
  const id = actor(scope);
  if (scope.ctx.standing?.role !== "moderator")
    throw new AppError("forbidden", "Only moderators can do this.");
  return id;
}

/** The first characters of a post or comment, as a moderation queue shows it. */
export function excerpt(text: string, length = 140): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/**
 * A moderation queue item's place in the queue, oldest first report first: the key its cursor
 * names, the same in every service that keeps reports, so the gateway can merge their pages.
 */
export function caseKey(item: Pick<ReportCase, "firstReportedAt" | "id">): string {
  return `${item.firstReportedAt}|${item.id}`;
}

/** One post or comment with open reports, as a service's queue query groups them. */
export type ReportCaseRow = {
  targetId: string;
  firstReportedAt: string;
  reportCount: number;
  /** The distinct reasons, as SQLite's json_group_array gives them. */
  reasons: string;
  text: string;
  status: ReportCase["status"];
};

/** A page of a service's moderation queue from `limit + 1` grouped rows, oldest first. */
export function reportCasePage(
  kind: ReportCase["targetKind"],
  rows: ReportCaseRow[],
  limit: number,
): Page<ReportCase> {
  const cases = rows.map(
    (row): ReportCase => ({
      id: `${REPORT_ID_PREFIX[kind]}${row.targetId}`,
      targetKind: kind,
      targetId: row.targetId,
      excerpt: excerpt(row.text),
      status: row.status,
      reasons: JSON.parse(row.reasons) as string[],
      reportCount: Number(row.reportCount),
      firstReportedAt: row.firstReportedAt,
    }),
  );
  return toPage(cases, limit, caseKey, (item) => item);
}
