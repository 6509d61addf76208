import type { ComponentChildren } from "preact";
import { createContext } from "preact";

/** The words a search results page searched for (the answer's `terms`); none elsewhere. */
export const SearchTerms = createContext<string[]>([]);

/** A word as the search index compares it: compatibility-folded, accents removed, lower case. */
export function fold(word: string): string {
  return word.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/**
 * The text with each word that starts with a searched term in a <mark>. Every piece is a text
 * node (Preact writes them with textContent): the text never becomes markup, whatever it holds.
 */
export function highlighted(text: string, terms: readonly string[]): ComponentChildren[] {
  const wanted = terms.map(fold).filter((term) => term.length > 0);
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const index = match.index ?? 0;
    const folded = fold(word);
    if (!wanted.some((term) => folded.startsWith(term))) continue;
    parts.push(text.slice(last, index), <mark key={index}>{word}</mark>);
    last = index + word.length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** Text with the searched words marked, as text. */
export function Highlighted({ text, terms }: { text: string; terms: readonly string[] }) {
  return <>{highlighted(text, terms)}</>;
}
