import { foldForModeration } from "@flock/kit";

/** At most this many words of a search count; the rest are ignored. */
export const MAX_TERMS = 8;
const MAX_TERM_LENGTH = 64;

/** A word as the index sees one: letters, digits and the marks that belong to them. */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/** Text as it is indexed and searched: NFKC-folded, zero-width characters gone, lower case. */
export function fold(text: string): string {
  return foldForModeration(text).toLowerCase();
}

/**
 * The words of a search text, folded and without repeats. Everything else (quotes, `*`, `^`, `:`,
 * parentheses, `NEAR`'s punctuation) is a separator, so no part of the text is FTS5 syntax.
 */
export function termsOf(text: string): string[] {
  const words = fold(text).match(WORD) ?? [];
  return [...new Set(words.map((word) => word.slice(0, MAX_TERM_LENGTH)))].slice(0, MAX_TERMS);
}

/**
 * An FTS5 query matching every term: each one a quoted string (quotes doubled, though termsOf
 * leaves none), so a term is only ever a word, never an operator or a column filter. The only `*`
 * is the one added here: on the last term (search as you type) or on every term.
 */
export function matchAll(terms: readonly string[], prefix: "last" | "every"): string {
  return terms
    .map((term, i) => {
      const quoted = `"${term.replaceAll('"', '""')}"`;
      return prefix === "every" || i === terms.length - 1 ? `${quoted}*` : quoted;
    })
    .join(" ");
}
