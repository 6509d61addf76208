import type { ComponentChildren } from "preact";
import { useContext } from "preact/hooks";
import { Link, paths } from "../router";
import { highlighted, SearchTerms } from "./highlight";

// URLs (http and https only), @mentions as the server recognises them, and #tags. Everything else
// stays a text node, which Preact writes with textContent: user text never becomes markup.
const TOKEN =
  /(https?:\/\/[^\s<>"'`]+)|(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{3,30})\b|(?<![\p{L}\p{N}_&#])#([\p{L}\p{N}_-]{1,30})/gu;
const TRAILING = /[.,;:!?)\]}'"]+$/;

function safeUrl(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Turns user-written text into text nodes and links to profiles, tags and (external) pages. */
export function RichText({ text, class: className }: { text: string; class?: string }) {
  // On a search results page, the words searched for are marked in the plain text between links.
  const terms = useContext(SearchTerms);
  const plain = (part: string) => (terms.length > 0 ? highlighted(part, terms) : part);
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const index = match.index ?? 0;
    const [whole, url, handle, tag] = match;
    if (url) {
      const trimmed = url.replace(TRAILING, "");
      const href = safeUrl(trimmed);
      if (!href) continue;
      parts.push(plain(text.slice(last, index)));
      parts.push(
        <a href={href} rel="noopener nofollow" target="_blank" key={index}>
          {trimmed}
        </a>,
      );
      last = index + trimmed.length;
    } else if (handle) {
      parts.push(plain(text.slice(last, index)));
      parts.push(
        <Link href={paths.profile(handle.toLowerCase())} class="mention" key={index}>
          @{handle}
        </Link>,
      );
      last = index + whole.length;
    } else if (tag) {
      parts.push(plain(text.slice(last, index)));
      parts.push(
        <Link href={paths.tag(tag.toLowerCase())} class="hashtag" key={index}>
          #{tag}
        </Link>,
      );
      last = index + whole.length;
    }
  }
  parts.push(plain(text.slice(last)));
  return <p class={className ? `text ${className}` : "text"}>{parts}</p>;
}
