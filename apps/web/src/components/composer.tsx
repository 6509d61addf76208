import { useRef, useState } from "preact/hooks";
import type { Post } from "../api";
import { ApiError, api } from "../api";
import { idempotencyKey } from "../format";
import { notify } from "../toasts";
import { AttachImages, useAttachments } from "./media";
import { RichText } from "./rich-text";
import { Field, FormError } from "./ui";

export const MAX_BODY = 5000;
const TAG = /^[\p{L}\p{N}_-]{1,30}$/u;

/** "#Edge, workers" -> ["edge", "workers"], as the server will store them. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(/[\s,]+/)
    .map((tag) => tag.replace(/^#/, "").toLowerCase())
    .filter(Boolean);
  return [...new Set(tags)];
}

export function tagProblem(tags: string[]): string | undefined {
  if (tags.length > 10) return "Use at most 10 tags.";
  const bad = tags.find((tag) => !TAG.test(tag));
  return bad === undefined
    ? undefined
    : `"${bad}" is not a valid tag: use 1 to 30 letters, digits, - or _.`;
}

/** The character count under a text box; announced only when the limit gets close. */
export function CharCount({ id, length, max }: { id: string; length: number; max: number }) {
  const left = max - length;
  const near = left <= Math.min(200, max / 10);
  return (
    <p id={id} class={left < 0 ? "count over" : near ? "count near" : "count"}>
      <span aria-live={near ? "polite" : "off"}>
        {left < 0 ? `${-left} characters over the limit` : `${length} / ${max}`}
      </span>
    </p>
  );
}

/** Writes a post: body with a live count, an optional title and tags, a preview of its links. */
export function Composer({ onPosted }: { onPosted: (post: Post) => void }) {
  const [body, setBody] = useState("");
  const [title, setTitle] = useState("");
  const [tagText, setTagText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Title and tags appear once the composer is used, so on a phone the feed starts on screen one.
  const [expanded, setExpanded] = useState(false);
  // One key per draft: a retry after a lost answer cannot post twice.
  const key = useRef(idempotencyKey());
  const attachments = useAttachments();
  const tags = parseTags(tagText);
  const tagError = tagProblem(tags);
  const length = body.trim().length;
  const fieldError = (path: string) => (error instanceof ApiError ? error.field(path) : undefined);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy || attachments.uploading || length === 0 || length > MAX_BODY || tagError) return;
    setBusy(true);
    setError(null);
    try {
      const post = await api.createPost(
        {
          body,
          ...(title.trim() ? { title: title.trim() } : {}),
          tags,
          media: attachments.input(),
        },
        key.current,
      );
      key.current = idempotencyKey();
      setBody("");
      setTitle("");
      setTagText("");
      attachments.clear();
      setExpanded(false);
      onPosted(post);
      notify("Posted.");
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class="composer card"
      onSubmit={submit}
      onFocusIn={() => setExpanded(true)}
      aria-labelledby="composer-title"
    >
      <h2 id="composer-title" class="visually-hidden">
        Write a post
      </h2>
      <FormError error={error} />
      <Field label="What's happening?" error={fieldError("body")}>
        {(props) => (
          <>
            <textarea
              {...props}
              aria-describedby={[props["aria-describedby"], "composer-count"]
                .filter(Boolean)
                .join(" ")}
              name="body"
              rows={3}
              value={body}
              onInput={(event) => setBody(event.currentTarget.value)}
              placeholder="Say something; @name mentions someone"
            />
            <CharCount id="composer-count" length={length} max={MAX_BODY} />
          </>
        )}
      </Field>
      {expanded && (
        <>
          <Field label="Title (optional)" error={fieldError("title")}>
            {(props) => (
              <input
                {...props}
                name="title"
                maxLength={200}
                value={title}
                onInput={(event) => setTitle(event.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            label="Tags (optional)"
            hint="Separate with spaces or commas, up to 10."
            error={tagError ?? fieldError("tags")}
          >
            {(props) => (
              <input
                {...props}
                name="tags"
                value={tagText}
                onInput={(event) => setTagText(event.currentTarget.value)}
                placeholder="edge, workers"
                autocomplete="off"
              />
            )}
          </Field>
        </>
      )}
      <AttachImages attachments={attachments} />
      {body.trim() && (
        <div class="preview">
          <h3 class="preview-title">Preview</h3>
          <RichText text={body} />
        </div>
      )}
      <div class="form-actions">
        <button
          type="submit"
          class="button"
          disabled={
            busy || attachments.uploading || length === 0 || length > MAX_BODY || Boolean(tagError)
          }
        >
          {busy ? "Posting…" : "Post"}
        </button>
      </div>
    </form>
  );
}
