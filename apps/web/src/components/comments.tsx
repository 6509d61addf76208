import { useEffect, useRef, useState } from "preact/hooks";
import type { Comment, CommentPage, Post } from "../api";
import { ApiError, api, errorMessage } from "../api";
import { Link } from "../router";
import { session } from "../session";
import { useStore } from "../store";
import { notify } from "../toasts";
import { Avatar } from "./avatar";
import { CharCount } from "./composer";
import { ReportForm } from "./report-form";
import { RichText } from "./rich-text";
import { Time } from "./time";
import { Confirm, Empty, ErrorNote, Field, FormError } from "./ui";

const MAX_COMMENT = 2000;
const MAX_INDENT = 4;

/** A comment, or the place of one deleted here while replies to it are still shown. */
type Entry = Comment | { id: string; parentId: string | null; deleted: true };
const isDeleted = (entry: Entry): entry is Extract<Entry, { deleted: true }> => "deleted" in entry;

type Thread = {
  post: Post;
  add(comment: Comment): void;
  replace(comment: Comment): void;
  remove(id: string): void;
  children: Map<string | null, Entry[]>;
};

function CommentForm(props: {
  label: string;
  submitLabel: string;
  initial?: string;
  send: (body: string) => Promise<void>;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const [body, setBody] = useState(props.initial ?? "");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const length = body.trim().length;
  const countId = `count-${props.label.replace(/\W+/g, "-")}`;
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (props.autoFocus) box.current?.focus();
  }, []);
  async function submit(event: Event) {
    event.preventDefault();
    if (busy || length === 0 || length > MAX_COMMENT) return;
    setBusy(true);
    setError(null);
    try {
      await props.send(body);
      setBody("");
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="comment-form" onSubmit={submit}>
      <FormError error={error} />
      <Field
        label={props.label}
        error={error instanceof ApiError ? error.field("body") : undefined}
      >
        {(field) => (
          <>
            <textarea
              {...field}
              aria-describedby={[field["aria-describedby"], countId].filter(Boolean).join(" ")}
              rows={2}
              value={body}
              ref={box}
              onInput={(event) => setBody(event.currentTarget.value)}
            />
            <CharCount id={countId} length={length} max={MAX_COMMENT} />
          </>
        )}
      </Field>
      <div class="form-actions">
        <button
          type="submit"
          class="button"
          disabled={busy || length === 0 || length > MAX_COMMENT}
        >
          {busy ? "Sending…" : props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" class="button secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

type Mode = "view" | "reply" | "edit" | "delete" | "report";

function CommentItem({
  comment,
  depth,
  thread,
}: {
  comment: Comment;
  depth: number;
  thread: Thread;
}) {
  const { user } = useStore(session);
  const [mode, setMode] = useState<Mode>("view");
  const [busy, setBusy] = useState(false);
  const me = user?.id;
  const mine = comment.author.id === me;
  const onMyPost = thread.post.author.id === me;
  const visible = comment.status === "visible";

  async function remove() {
    setBusy(true);
    try {
      await api.deleteComment(comment.id);
      thread.remove(comment.id);
      notify("Comment deleted.");
    } catch (error) {
      notify(`Could not delete the comment. ${errorMessage(error)}`, "error");
      setBusy(false);
      setMode("view");
    }
  }

  async function approve() {
    setBusy(true);
    try {
      thread.replace(await api.approveComment(comment.id));
      notify("Comment approved: everyone can see it now.");
    } catch (error) {
      notify(`Could not approve the comment. ${errorMessage(error)}`, "error");
    } finally {
      setBusy(false);
    }
  }

  return (
    <article class="comment" aria-label={`Comment by ${comment.author.displayName}`}>
      <div class="byline">
        <Avatar person={comment.author} size={32} />
        <div>
          <Link href={`/u/${encodeURIComponent(comment.author.handle)}`} class="author">
            {comment.author.displayName}
          </Link>{" "}
          <span class="handle">@{comment.author.handle}</span>
          <br />
          <span class="muted">
            <Time iso={comment.createdAt} />
            {comment.updatedAt !== comment.createdAt && " · edited"}
          </span>
        </div>
      </div>
      {!visible && (
        <p class="badge-note">
          {comment.status === "held"
            ? "Held for review: only its author and the post's author can see it."
            : "Hidden after reports: only its author and the post's author can see it."}
        </p>
      )}
      {mode === "edit" ? (
        <CommentForm
          label="Edit your comment"
          submitLabel="Save"
          initial={comment.body}
          autoFocus
          send={async (body) => {
            const updated = await api.updateComment(comment.id, { body });
            thread.replace(updated);
            setMode("view");
            if (updated.status === "held") notify("Your edit is held for review.");
          }}
          onCancel={() => setMode("view")}
        />
      ) : (
        <RichText text={comment.body} />
      )}
      {mode === "view" && user && (
        <div class="comment-actions">
          {visible && (
            <button type="button" class="link-button" onClick={() => setMode("reply")}>
              Reply
            </button>
          )}
          {mine && (
            <button type="button" class="link-button" onClick={() => setMode("edit")}>
              Edit
            </button>
          )}
          {(mine || onMyPost) && (
            <button type="button" class="link-button" onClick={() => setMode("delete")}>
              Delete
            </button>
          )}
          {!mine && visible && (
            <button type="button" class="link-button" onClick={() => setMode("report")}>
              Report
            </button>
          )}
          {onMyPost && !visible && (
            <button type="button" class="link-button" onClick={approve} disabled={busy}>
              Approve
            </button>
          )}
        </div>
      )}
      {mode === "delete" && (
        <Confirm
          question="Delete this comment? This cannot be undone."
          confirmLabel="Delete comment"
          busy={busy}
          onConfirm={remove}
          onCancel={() => setMode("view")}
        />
      )}
      {mode === "report" && (
        <ReportForm
          what="comment"
          send={(reason) => api.reportComment(comment.id, { reason })}
          onDone={() => setMode("view")}
        />
      )}
      {mode === "reply" && (
        <CommentForm
          label={`Reply to ${comment.author.displayName}`}
          submitLabel="Reply"
          autoFocus
          send={async (body) => {
            thread.add(await api.comment(thread.post.id, { body, parentId: comment.id }));
            setMode("view");
          }}
          onCancel={() => setMode("view")}
        />
      )}
      <Replies parentId={comment.id} depth={depth + 1} thread={thread} />
    </article>
  );
}

function Replies({ parentId, depth, thread }: { parentId: string; depth: number; thread: Thread }) {
  const replies = thread.children.get(parentId) ?? [];
  if (replies.length === 0) return null;
  return (
    <ul class={depth <= MAX_INDENT ? "replies" : "replies flat"} aria-label="Replies">
      {replies.map((entry) => (
        <li key={entry.id}>
          <EntryView entry={entry} depth={depth} thread={thread} />
        </li>
      ))}
    </ul>
  );
}

function EntryView({ entry, depth, thread }: { entry: Entry; depth: number; thread: Thread }) {
  if (isDeleted(entry)) {
    return (
      <div class="comment deleted">
        <p class="muted">This comment was deleted.</p>
        <Replies parentId={entry.id} depth={depth + 1} thread={thread} />
      </div>
    );
  }
  return <CommentItem comment={entry} depth={depth} thread={thread} />;
}

/** A post's comments, oldest first, as threads: replies under what they answer. */
export function Comments(props: {
  post: Post;
  initial: CommentPage | null | undefined;
  onCount: (change: number) => void;
}) {
  const { user } = useStore(session);
  const [entries, setEntries] = useState<Entry[]>(props.initial?.items ?? []);
  const [cursor, setCursor] = useState(props.initial?.nextCursor ?? null);
  const [unavailable, setUnavailable] = useState(props.initial === null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function loadMore(from: string | null) {
    setLoading(true);
    setError(null);
    try {
      const page = await api.comments(props.post.id, { cursor: from });
      setEntries((list) => {
        const seen = new Set(list.map((entry) => entry.id));
        return [...list, ...page.items.filter((comment) => !seen.has(comment.id))];
      });
      setCursor(page.nextCursor);
      setUnavailable(false);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  }

  const ids = new Set(entries.map((entry) => entry.id));
  const children = new Map<string | null, Entry[]>();
  for (const entry of entries) {
    // A reply whose parent is gone (or not loaded) is shown at the top level.
    const parent = entry.parentId && ids.has(entry.parentId) ? entry.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), entry]);
  }
  const thread: Thread = {
    post: props.post,
    children,
    add(comment) {
      setEntries((list) => [...list, comment]);
      if (comment.status === "visible") props.onCount(1);
      else notify("Your comment is held for review by the post's author.");
    },
    replace(comment) {
      setEntries((list) => list.map((entry) => (entry.id === comment.id ? comment : entry)));
    },
    remove(id) {
      setEntries((list) => {
        const hasReplies = list.some((entry) => entry.parentId === id);
        return hasReplies
          ? list.map((entry) =>
              entry.id === id ? { id, parentId: entry.parentId, deleted: true as const } : entry,
            )
          : list.filter((entry) => entry.id !== id);
      });
      props.onCount(-1);
    },
  };
  const roots = children.get(null) ?? [];

  return (
    <section id="comments" class="comments" aria-labelledby="comments-title">
      <h2 id="comments-title">Comments</h2>
      {user ? (
        <CommentForm
          label="Add a comment"
          submitLabel="Comment"
          send={async (body) => thread.add(await api.comment(props.post.id, { body }))}
        />
      ) : (
        <p>
          <Link href={`/login?next=${encodeURIComponent(window.location.pathname)}`}>Log in</Link>{" "}
          to comment.
        </p>
      )}
      {unavailable ? (
        <ErrorNote
          error={new ApiError(503, "Comments cannot be loaded right now.")}
          retry={() => void loadMore(null)}
        />
      ) : roots.length === 0 ? (
        <Empty>No comments yet. Start the conversation.</Empty>
      ) : (
        <ul class="thread" aria-label="Comments">
          {roots.map((entry) => (
            <li key={entry.id}>
              {entry.parentId && !isDeleted(entry) && (
                <p class="muted reply-note">In reply to a comment that is no longer here</p>
              )}
              <EntryView entry={entry} depth={1} thread={thread} />
            </li>
          ))}
        </ul>
      )}
      {error !== null && <ErrorNote error={error} retry={() => void loadMore(cursor)} />}
      {cursor && !unavailable && (
        <button
          type="button"
          class="button secondary"
          disabled={loading}
          onClick={() => void loadMore(cursor)}
        >
          {loading ? "Loading…" : "Load more comments"}
        </button>
      )}
    </section>
  );
}
