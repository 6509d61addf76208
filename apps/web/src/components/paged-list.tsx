import type { ComponentChildren } from "preact";
import type { Paged } from "../paged";
import { Empty, ErrorNote, useOnVisible } from "./ui";

/**
 * A list that loads its next page when its end scrolls into view (or its button is pressed), with a
 * placeholder of fixed height while the first page loads, so nothing jumps when it arrives.
 */
export function PagedList<T extends { id: string }>(props: {
  paged: Paged<T>;
  label: string;
  empty: ComponentChildren;
  placeholder: ComponentChildren;
  more: string;
  class?: string;
  children: (item: T) => ComponentChildren;
}) {
  const { paged } = props;
  const sentinel = useOnVisible(paged.loadMore, paged.status === "idle");
  if (paged.status === "loading") {
    return (
      <div aria-busy="true">
        <p class="visually-hidden" role="status">
          Loading {props.label.toLowerCase()}…
        </p>
        {props.placeholder}
      </div>
    );
  }
  if (paged.status === "error" && paged.items.length === 0) {
    return <ErrorNote error={paged.error} retry={paged.retry} />;
  }
  if (paged.items.length === 0 && paged.status === "done") return <Empty>{props.empty}</Empty>;
  return (
    <>
      <ul class={props.class ?? "list"} aria-label={props.label}>
        {paged.items.map((item) => (
          <li key={item.id}>{props.children(item)}</li>
        ))}
      </ul>
      <div class="list-end" ref={sentinel}>
        {paged.status === "idle" && (
          <button type="button" class="button secondary" onClick={paged.loadMore}>
            {props.more}
          </button>
        )}
        {paged.status === "more" && (
          <p class="loading" role="status">
            <span class="spinner" aria-hidden="true" />
            Loading more…
          </p>
        )}
        {paged.status === "error" && <ErrorNote error={paged.error} retry={paged.retry} />}
        {paged.status === "done" && paged.items.length > 5 && (
          <p class="muted">You have reached the end.</p>
        )}
      </div>
    </>
  );
}

export function PostPlaceholders({ n = 3 }: { n?: number }) {
  return (
    <>
      {Array.from({ length: n }, (_, i) => (
        <div class="post placeholder" aria-hidden="true" key={i}>
          <div class="bar short" />
          <div class="bar" />
          <div class="bar" />
          <div class="bar medium" />
        </div>
      ))}
    </>
  );
}

export function PersonPlaceholders({ n = 4 }: { n?: number }) {
  return (
    <>
      {Array.from({ length: n }, (_, i) => (
        <div class="person placeholder" aria-hidden="true" key={i}>
          <div class="bar medium" />
        </div>
      ))}
    </>
  );
}
