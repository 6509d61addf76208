import { useRef, useState } from "preact/hooks";
import type { Post } from "../api";
import { api, errorMessage } from "../api";
import { count, idempotencyKey, plural } from "../format";
import { Link, navigate, paths } from "../router";
import { session } from "../session";
import { useStore } from "../store";
import { notify } from "../toasts";
import { Avatar } from "./avatar";
import { CommentIcon, HeartIcon, ShareIcon } from "./icons";
import { PostImages } from "./media";
import { ReportForm } from "./report-form";
import { RichText } from "./rich-text";
import { PostMenu } from "./safety";
import { Time } from "./time";

type Update = (change: (post: Post) => Post) => void;
type Embedded = NonNullable<Post["sharedPost"]>;

function signInFirst(): void {
  notify("Log in to do that.");
  navigate(`/login?next=${encodeURIComponent(window.location.pathname)}`);
}

function Byline({ post, label }: { post: Embedded; label?: string }) {
  return (
    <div class="byline">
      <Avatar person={post.author} />
      <div>
        <Link href={paths.profile(post.author.handle)} class="author">
          {post.author.displayName}
        </Link>{" "}
        <span class="handle">@{post.author.handle}</span>
        {label && <span class="muted"> {label}</span>}
        <br />
        <Link href={paths.post(post.id)} class="muted permalink">
          <Time iso={post.createdAt} />
          {post.updatedAt !== post.createdAt && " · edited"}
        </Link>
      </div>
    </div>
  );
}

function Tags({ tags }: { tags: string[] }) {
  if (tags.length === 0) return null;
  return (
    <ul class="tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag}>
          <Link href={paths.tag(tag)}>#{tag}</Link>
        </li>
      ))}
    </ul>
  );
}

/** The text of a post: title (as a heading at `level`), body, tags. */
export function PostContent({ post, level }: { post: Embedded; level: 1 | 2 | 3 }) {
  const Heading = level === 1 ? "h1" : level === 2 ? "h2" : "h3";
  return (
    <>
      {post.title && (
        <Heading
          class="post-title"
          id={level === 1 ? "page-title" : undefined}
          tabIndex={level === 1 ? -1 : undefined}
        >
          {post.title}
        </Heading>
      )}
      {post.body && <RichText text={post.body} />}
      <PostImages media={post.media} />
      <Tags tags={post.tags} />
    </>
  );
}

/** A count as shown ("1.2K"), read out in full ("1,234 likes"). */
function Count({ n, noun }: { n: number; noun: string }) {
  return (
    <>
      <span class="action-count" aria-hidden="true">
        {count(n)}
      </span>
      <span class="visually-hidden">, {plural(n, noun)}</span>
    </>
  );
}

function LikeButton({ post, update }: { post: Post; update: Update }) {
  const { user } = useStore(session);
  const liked = post.viewer?.liked ?? false;
  // What the reader asked for last; requests run one at a time until the server agrees with it.
  const wanted = useRef(liked);
  const sending = useRef(false);
  if (!sending.current) wanted.current = liked;

  async function toggle() {
    if (!user) return signInFirst();
    const next = !wanted.current;
    wanted.current = next;
    // Optimistic: the button and count change at once, whatever the network does.
    update((p) => ({
      ...p,
      likeCount: Math.max(0, p.likeCount + (next ? 1 : -1)),
      viewer: { liked: next, shared: p.viewer?.shared ?? false },
    }));
    if (sending.current) return;
    sending.current = true;
    let confirmed = { likeCount: post.likeCount, viewer: post.viewer };
    try {
      for (;;) {
        const goal = wanted.current;
        const state = goal ? await api.like(post.id) : await api.unlike(post.id);
        confirmed = { likeCount: state.likeCount, viewer: { liked: state.liked, shared: false } };
        if (wanted.current === goal) {
          update((p) => ({
            ...p,
            likeCount: state.likeCount,
            viewer: { liked: state.liked, shared: p.viewer?.shared ?? false },
          }));
          break;
        }
      }
    } catch (error) {
      // Rolled back to what the server last confirmed.
      update((p) => ({
        ...p,
        likeCount: confirmed.likeCount,
        viewer: { liked: confirmed.viewer?.liked ?? false, shared: p.viewer?.shared ?? false },
      }));
      notify(`Could not update your like. ${errorMessage(error)}`, "error");
    } finally {
      sending.current = false;
    }
  }
  return (
    <button
      type="button"
      class={liked ? "action liked" : "action"}
      aria-pressed={liked}
      onClick={toggle}
    >
      <HeartIcon filled={liked} /> Like
      <Count n={post.likeCount} noun="like" />
    </button>
  );
}

function ShareButton(props: { post: Post; update: Update; onShared?: (share: Post) => void }) {
  const { post, update, onShared } = props;
  const { user } = useStore(session);
  const busy = useRef(false);
  const shared = post.viewer?.shared ?? false;
  async function share() {
    if (!user) return signInFirst();
    if (busy.current || shared) return;
    busy.current = true;
    const before = { shareCount: post.shareCount, viewer: post.viewer };
    update((p) => ({
      ...p,
      shareCount: p.shareCount + 1,
      viewer: { liked: p.viewer?.liked ?? false, shared: true },
    }));
    try {
      const created = await api.share(post.id, {}, idempotencyKey());
      notify("Shared with your followers.");
      onShared?.(created);
    } catch (error) {
      update((p) => ({ ...p, ...before }));
      notify(`Could not share the post. ${errorMessage(error)}`, "error");
    } finally {
      busy.current = false;
    }
  }
  return (
    <button
      type="button"
      class={shared ? "action shared" : "action"}
      aria-pressed={shared}
      onClick={share}
    >
      <ShareIcon /> {shared ? "Shared" : "Share"}
      <Count n={post.shareCount} noun="share" />
    </button>
  );
}

/** "Report" for a signed-in reader of someone else's post, and the form it opens. */
function ReportPost({ post }: { post: Post }) {
  const { user } = useStore(session);
  const [open, setOpen] = useState(false);
  if (!user || user.id === post.author.id) return null;
  if (!open)
    return (
      <button type="button" class="action" onClick={() => setOpen(true)}>
        Report
      </button>
    );
  return (
    <ReportForm
      what="post"
      send={(reason) => api.reportPost(post.id, { reason })}
      onDone={() => setOpen(false)}
    />
  );
}

export function PostActions(props: {
  post: Post;
  update: Update;
  onShared?: (share: Post) => void;
}) {
  const { post } = props;
  return (
    <div class="actions">
      <LikeButton post={post} update={props.update} />
      <Link href={`${paths.post(post.id)}#comments`} class="action">
        <CommentIcon /> Comments
        <Count n={post.commentCount} noun="comment" />
      </Link>
      <ShareButton post={post} update={props.update} onShared={props.onShared} />
      <ReportPost post={post} />
    </div>
  );
}

function SharedOriginal({ original }: { original: Post["sharedPost"] }) {
  if (!original) return <p class="shared-post gone">The shared post was deleted.</p>;
  return (
    <div class="shared-post">
      <Byline post={original} />
      <PostContent post={original} level={3} />
    </div>
  );
}

/** What the author alone sees of a post that is held or hidden. */
export function HeldNote({ post }: { post: Post }) {
  if (post.status === "visible") return null;
  return (
    <p class="muted" role="note">
      {post.status === "held"
        ? "Held for review: only you can see it until a moderator releases it."
        : "Hidden after reports: only you can see it."}
    </p>
  );
}

/** A post in a list: who, what, and like / comment / share. */
export function PostCard(props: { post: Post; update: Update; onShared?: (share: Post) => void }) {
  const { post } = props;
  const { user } = useStore(session);
  const isShare = post.sharedPost !== undefined;
  return (
    <article class="post" aria-label={`Post by ${post.author.displayName}`}>
      {user && user.id !== post.author.id && <PostMenu author={post.author} />}
      <Byline post={post} label={isShare ? "shared" : undefined} />
      <HeldNote post={post} />
      <PostContent post={post} level={2} />
      {isShare && <SharedOriginal original={post.sharedPost ?? null} />}
      <PostActions post={post} update={props.update} onShared={props.onShared} />
    </article>
  );
}
