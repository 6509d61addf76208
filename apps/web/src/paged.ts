import { useEffect, useRef, useState } from "preact/hooks";
import type { PageQuery } from "./api";

/** One page of any list the API answers (PostPage, CommentPage and the like). */
type Page<T> = { items: T[]; nextCursor: string | null };

export type PagedState<T> = {
  items: T[];
  cursor: string | null;
  /** `loading`: the first page; `more`: a next page; `done`: no page left. */
  status: "loading" | "idle" | "more" | "error" | "done";
  error: unknown;
};

export type Paged<T> = PagedState<T> & {
  load: (query: PageQuery) => Promise<Page<T>>;
  loadMore(): void;
  refresh(): void;
  retry(): void;
  update(change: (items: T[]) => T[]): void;
};

/**
 * A cursor-paged list (`{items, nextCursor}`): the first page when `key` changes, the next one on
 * demand. Items already shown are not repeated when a page overlaps what was prepended locally.
 */
export function usePaged<T extends { id: string }>(
  load: (query: PageQuery) => Promise<Page<T>>,
  key: string,
  limit = 20,
): Paged<T> {
  const [state, setState] = useState<PagedState<T>>({
    items: [],
    cursor: null,
    status: "loading",
    error: null,
  });
  const generation = useRef(0);
  const controller = useRef<AbortController | null>(null);
  const latest = useRef(state);
  latest.current = state;

  function fetchPage(cursor: string | null) {
    const replace = cursor === null;
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    const mine = generation.current;
    setState((s) => ({ ...s, status: replace && s.items.length === 0 ? "loading" : "more" }));
    load({ cursor, limit, signal: abort.signal }).then(
      (page) => {
        if (mine !== generation.current || abort.signal.aborted) return;
        setState((s) => {
          const base = replace ? [] : s.items;
          const seen = new Set(base.map((item) => item.id));
          return {
            items: [...base, ...page.items.filter((item) => !seen.has(item.id))],
            cursor: page.nextCursor,
            status: page.nextCursor ? "idle" : "done",
            error: null,
          };
        });
      },
      (error: unknown) => {
        if (mine !== generation.current || abort.signal.aborted) return;
        setState((s) => ({ ...s, status: "error", error }));
      },
    );
  }

  // A new key is a new list; `load` follows the key.
  useEffect(() => {
    generation.current += 1;
    setState({ items: [], cursor: null, status: "loading", error: null });
    fetchPage(null);
    return () => controller.current?.abort();
  }, [key]);

  return {
    ...state,
    load,
    loadMore() {
      const { status, cursor } = latest.current;
      if (status === "idle" && cursor) fetchPage(cursor);
    },
    refresh: () => fetchPage(null),
    retry() {
      const { items, cursor } = latest.current;
      fetchPage(items.length === 0 ? null : cursor);
    },
    update: (change) => setState((s) => ({ ...s, items: change(s.items) })),
  };
}
