import { extractMentions } from "@flock/contracts";

/** Why a comment was held for the post author's review. */
export type ModerationReason = "denied_term" | "link_spam" | "excessive_mentions" | "repeated_text";

export type Verdict = { status: "visible" | "held"; reasons: ModerationReason[] };

/** Words and phrases that hold a comment when they appear as whole words, in any case. */
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

/**
 * Decides whether a comment is shown at once or held for the post author. The rules are
 * deliberately plain; `repeatsRecent` says the same author posted this exact body on the same
 * post a moment ago, which only the database can tell.
 */
export function moderate(body: string, context: { repeatsRecent?: boolean } = {}): Verdict {
  const reasons: ModerationReason[] = [];
  if (deniedTerm.test(body)) reasons.push("denied_term");
  if ((body.match(link)?.length ?? 0) > MAX_LINKS) reasons.push("link_spam");
  // Distinct handles, as notified: naming the same person twice reaches no one new.
  if (extractMentions(body).length > MAX_MENTIONS) reasons.push("excessive_mentions");
  if (context.repeatsRecent || repeatedCharacter.test(body)) reasons.push("repeated_text");
  return { status: reasons.length > 0 ? "held" : "visible", reasons };
}
