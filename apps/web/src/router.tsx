import type { AnchorHTMLAttributes } from "preact";
import { createStore, useStore } from "./store";

export type Location = { path: string; search: string };

const current = () => ({ path: window.location.pathname, search: window.location.search });
const location = createStore<Location>(current());

window.addEventListener("popstate", () => location.set(current()));

/** Changes the page without reloading; new pages start at the top. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  location.set(current());
  window.scrollTo(0, 0);
}

export function useLocation(): Location {
  return useStore(location);
}

/** An ordinary link (it works in a new tab too) that navigates in place on a plain click. */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { href, onClick, ...rest } = props;
  return (
    <a
      href={href}
      {...rest}
      onClick={(event) => {
        onClick?.(event);
        if (
          event.defaultPrevented ||
          event.button !== 0 ||
          event.metaKey ||
          event.ctrlKey ||
          event.shiftKey ||
          event.altKey
        ) {
          return;
        }
        event.preventDefault();
        navigate(href);
      }}
    />
  );
}

export type Route =
  | { page: "home" }
  | { page: "explore" }
  | { page: "login" }
  | { page: "signup" }
  | { page: "forgot-password" }
  | { page: "reset-password" }
  | { page: "verify-email" }
  | { page: "settings" }
  | { page: "notifications" }
  | { page: "moderation" }
  | { page: "operations" }
  | { page: "search" }
  | { page: "post"; id: string }
  | { page: "tag"; tag: string }
  | { page: "profile"; handle: string; tab: "posts" | "followers" | "following" | "friends" }
  | { page: "not-found" };

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** The app's URLs: short, shareable, and the same ones the links print. */
export function match(path: string): Route {
  const parts = path.split("/").filter(Boolean).map(decode);
  if (parts.some((part) => part === null)) return { page: "not-found" };
  const [first, second, third, ...rest] = parts as string[];
  if (rest.length > 0) return { page: "not-found" };
  if (first === undefined) return { page: "home" };
  if (second === undefined) {
    if (first === "explore" || first === "login" || first === "signup") return { page: first };
    if (first === "settings" || first === "notifications" || first === "moderation")
      return { page: first };
    if (first === "operations") return { page: first };
    if (first === "search") return { page: first };
    if (first === "forgot-password" || first === "reset-password" || first === "verify-email")
      return { page: first };
    return { page: "not-found" };
  }
  if (first === "p" && third === undefined) return { page: "post", id: second };
  if (first === "t" && third === undefined) return { page: "tag", tag: second.toLowerCase() };
  if (first === "u") {
    const handle = second.toLowerCase();
    if (third === undefined) return { page: "profile", handle, tab: "posts" };
    if (third === "followers" || third === "following" || third === "friends") {
      return { page: "profile", handle, tab: third };
    }
  }
  return { page: "not-found" };
}

export const paths = {
  search: (q: string, type = "posts") =>
    `/search?${new URLSearchParams({ q, ...(type === "posts" ? {} : { type }) })}`,
  post: (id: string) => `/p/${encodeURIComponent(id)}`,
  tag: (tag: string) => `/t/${encodeURIComponent(tag)}`,
  profile: (handle: string) => `/u/${encodeURIComponent(handle)}`,
  people: (handle: string, list: "followers" | "following" | "friends") =>
    `/u/${encodeURIComponent(handle)}/${list}`,
};
