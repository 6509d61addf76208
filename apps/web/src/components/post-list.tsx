import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Post } from "../api";
import { live, onLive } from "../live";
import type { Paged } from "../paged";
import { useStore } from "../store";
import { PagedList, PostPlaceholders } from "./paged-list";
import { PostCard } from "./post-card";

const NEW_POSTS_POLL_MS = 20_000;

function updateOne(paged: Paged<Post>, id: string) {
  return (change: (post: Post) => Post) =>
    paged.update((items) => items.map((post) => (post.id === id ? change(post) : post)));
}

/**
 * Watches the top of a timeline and offers the posts that arrived since it was loaded. It never
 * inserts them by itself: the list does not move under the reader's eyes.
 */
function useNewPosts(paged: Paged<Post>, enabled: boolean, homeFeed: boolean) {
  const [waiting, setWaiting] = useState(false);
  const newest = paged.items[0]?.id ?? null;
  const ready = paged.status !== "loading" && paged.status !== "error";
  // The live socket brings the home feed's new posts; other timelines, and a closed socket, poll.
  const { connected } = useStore(live);
  const pushed = homeFeed && connected;
  useEffect(() => {
    if (!enabled || !ready) return;
    setWaiting(false);
    let stopped = false;
    if (pushed) {
      const later = (post: Post) => newest === null || post.id > newest;
      // A check for what arrived while the socket was down, then only what it brings.
      void (async () => {
        try {
          const top = (await paged.load({ limit: 1 })).items[0];
          if (!stopped && top && later(top)) setWaiting(true);
        } catch {
          // Only a hint.
        }
      })();
      const unsubscribe = onLive({ post: (post) => later(post) && setWaiting(true) });
      return () => {
        stopped = true;
        unsubscribe();
      };
    }
    async function check() {
      if (document.visibilityState === "hidden") return;
      try {
        const page = await paged.load({ limit: 1 });
        const top = page.items[0];
        // Ids are time-sortable: a greater id is a later post.
        if (!stopped && top && (newest === null || top.id > newest)) setWaiting(true);
      } catch {
        // Only a hint; the next check tries again.
      }
    }
    const timer = setInterval(check, NEW_POSTS_POLL_MS);
    const onFocus = () => void check();
    window.addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onFocus);
    return () => {
      stopped = true;
      clearInterval(timer);
      window.removeEventListener("focus", onFocus);
      document.removeEventListener("visibilitychange", onFocus);
    };
  }, [enabled, ready, newest, pushed]);
  return [waiting, () => setWaiting(false)] as const;
}

export function PostList(props: {
  paged: Paged<Post>;
  label: string;
  empty: ComponentChildren;
  watchNew?: boolean;
  /** The home feed: the live socket pushes its new posts, so it does not poll while that is open. */
  homeFeed?: boolean;
  onShared?: (share: Post) => void;
}) {
  const { paged } = props;
  const [waiting, seen] = useNewPosts(paged, props.watchNew ?? false, props.homeFeed ?? false);
  const top = useRef<HTMLDivElement>(null);
  function showNew() {
    seen();
    paged.refresh();
    top.current?.scrollIntoView({ block: "start" });
    top.current?.focus();
  }
  return (
    <div class="post-list" ref={top} tabIndex={-1}>
      {/* A fixed pill: it appears over the list instead of pushing it down. */}
      <div class="new-posts" aria-live="polite">
        {waiting && (
          <button type="button" class="button pill" onClick={showNew}>
            New posts · show them
          </button>
        )}
      </div>
      <PagedList
        paged={paged}
        label={props.label}
        empty={props.empty}
        placeholder={<PostPlaceholders />}
        more="Load more posts"
        class="posts"
      >
        {(post) => (
          <PostCard post={post} update={updateOne(paged, post.id)} onShared={props.onShared} />
        )}
      </PagedList>
    </div>
  );
}
