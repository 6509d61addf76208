import { useEffect, useState } from "preact/hooks";
import type { Post } from "../api";
import { ApiError, api, errorMessage } from "../api";
import { Avatar } from "../components/avatar";
import { Comments } from "../components/comments";
import { CharCount, MAX_BODY, parseTags, tagProblem } from "../components/composer";
import { PostPlaceholders } from "../components/paged-list";
import { HeldNote, PostActions, PostContent } from "../components/post-card";
import { Time } from "../components/time";
import {
  Confirm,
  ErrorNote,
  Field,
  FormError,
  PageTitle,
  useAsync,
  usePageTitle,
} from "../components/ui";
import { Link, navigate, paths } from "../router";
import { session } from "../session";
import { useStore } from "../store";
import { notify } from "../toasts";

function EditPost({
  post,
  onSaved,
  onCancel,
}: {
  post: Post;
  onSaved: (post: Post) => void;
  onCancel: () => void;
}) {
  const [title, setTitle] = useState(post.title ?? "");
  const [body, setBody] = useState(post.body);
  const [tagText, setTagText] = useState(post.tags.join(", "));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const tags = parseTags(tagText);
  const tagError = tagProblem(tags);
  const length = body.trim().length;
  const field = (path: string) => (error instanceof ApiError ? error.field(path) : undefined);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.updatePost(post.id, { body, title: title.trim() || null, tags }));
      notify("Post updated.");
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="card" onSubmit={submit}>
      <h2>Edit post</h2>
      <FormError error={error} />
      <Field label="Title (optional)" error={field("title")}>
        {(props) => (
          <input
            {...props}
            value={title}
            maxLength={200}
            onInput={(event) => setTitle(event.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Text" error={field("body")}>
        {(props) => (
          <>
            <textarea
              {...props}
              aria-describedby={[props["aria-describedby"], "edit-count"].filter(Boolean).join(" ")}
              rows={4}
              value={body}
              onInput={(event) => setBody(event.currentTarget.value)}
            />
            <CharCount id="edit-count" length={length} max={MAX_BODY} />
          </>
        )}
      </Field>
      <Field label="Tags" error={tagError ?? field("tags")}>
        {(props) => (
          <input
            {...props}
            value={tagText}
            onInput={(event) => setTagText(event.currentTarget.value)}
          />
        )}
      </Field>
      <div class="form-actions">
        <button
          type="submit"
          class="button"
          disabled={busy || length === 0 || length > MAX_BODY || Boolean(tagError)}
        >
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" class="button secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function OwnerTools({ post, onEdit }: { post: Post; onEdit: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  async function remove() {
    setBusy(true);
    try {
      await api.deletePost(post.id);
      notify("Post deleted.");
      navigate("/");
    } catch (error) {
      notify(`Could not delete the post. ${errorMessage(error)}`, "error");
      setBusy(false);
      setConfirming(false);
    }
  }
  if (confirming) {
    return (
      <Confirm
        question="Delete this post and its comments? This cannot be undone."
        confirmLabel="Delete post"
        busy={busy}
        onConfirm={remove}
        onCancel={() => setConfirming(false)}
      />
    );
  }
  return (
    <div class="owner-tools">
      <button type="button" class="button secondary" onClick={onEdit}>
        Edit post
      </button>
      <button type="button" class="button danger-outline" onClick={() => setConfirming(true)}>
        Delete post
      </button>
    </div>
  );
}

export function PostPage({ id }: { id: string }) {
  const { user } = useStore(session);
  const { state, setData, reload } = useAsync((signal) => api.post(id, signal), [id, user?.id]);
  const [editing, setEditing] = useState(false);
  const post = state.status === "ready" ? state.data : null;
  const loaded = post !== null;
  useEffect(() => {
    // A link to "#comments" lands there once the post (and so the section) is on the page.
    if (loaded && window.location.hash === "#comments") {
      document.getElementById("comments")?.scrollIntoView();
    }
  }, [loaded]);
  usePageTitle(post ? (post.title ?? `Post by ${post.author.displayName}`) : "Post");

  if (state.status === "loading") {
    return (
      <div aria-busy="true">
        <p class="visually-hidden" role="status">
          Loading the post…
        </p>
        <PostPlaceholders n={1} />
      </div>
    );
  }
  if (state.status === "error") {
    const gone = state.error instanceof ApiError && state.error.status === 404;
    return (
      <>
        <PageTitle>{gone ? "Post not found" : "Could not load the post"}</PageTitle>
        {gone ? (
          <p>
            This post does not exist or was deleted. <Link href="/">Back to your feed</Link>.
          </p>
        ) : (
          <ErrorNote error={state.error} retry={reload} />
        )}
      </>
    );
  }

  const data = state.data;
  const update = (change: (post: Post) => Post) =>
    setData((current) => ({ ...current, ...change(current) }));
  const mine = user?.id === data.author.id;
  const isShare = data.sharedPost !== undefined;

  return (
    <>
      <article class="post detail" aria-labelledby="page-title">
        {!data.title && (
          <PageTitle>
            <span class="visually-hidden">Post by {data.author.displayName}</span>
          </PageTitle>
        )}
        <div class="byline">
          <Avatar person={data.author} size={48} />
          <div>
            <Link href={paths.profile(data.author.handle)} class="author">
              {data.author.displayName}
            </Link>{" "}
            <span class="handle">@{data.author.handle}</span>
            {isShare && <span class="muted"> shared</span>}
            <br />
            <span class="muted">
              <Time iso={data.createdAt} />
              {data.updatedAt !== data.createdAt && " · edited"}
            </span>
          </div>
        </div>
        {editing ? (
          <EditPost
            post={data}
            onSaved={(saved) => {
              update(() => saved);
              setEditing(false);
            }}
            onCancel={() => setEditing(false)}
          />
        ) : (
          <>
            <HeldNote post={data} />
            <PostContent post={data} level={1} />
          </>
        )}
        {isShare &&
          (data.sharedPost ? (
            <div class="shared-post">
              <p>
                <Link href={paths.post(data.sharedPost.id)}>
                  Original post by {data.sharedPost.author.displayName}
                </Link>
              </p>
              <PostContent post={data.sharedPost} level={2} />
            </div>
          ) : (
            <p class="shared-post gone">The shared post was deleted.</p>
          ))}
        <PostActions post={data} update={update} />
        {mine && !editing && <OwnerTools post={data} onEdit={() => setEditing(true)} />}
      </article>
      <Comments
        key={`${data.id}:${user?.id ?? ""}`}
        post={data}
        initial={data.comments}
        onCount={(change) =>
          update((p) => ({ ...p, commentCount: Math.max(0, p.commentCount + change) }))
        }
      />
    </>
  );
}
