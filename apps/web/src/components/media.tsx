import { useState } from "preact/hooks";
import type { PostMedia } from "../api";
import { ApiError, api, errorMessage } from "../api";
import { Field } from "./ui";

/** The most images a post takes, as the server allows. */
export const MAX_IMAGES = 4;
const MAX_ALT = 1000;
const ACCEPTED = "image/jpeg,image/png,image/webp,image/gif";

/** An image picked for the draft: uploaded at once (so the preview is flock's own copy), with alt text. */
type Draft = { id: string; url: string; width: number; height: number; alt: string };

/** The images of a draft post, and what the composer does with them. */
export function useAttachments() {
  const [items, setItems] = useState<Draft[]>([]);
  const [uploading, setUploading] = useState(0);
  const [error, setError] = useState<string | null>(null);
  async function add(files: FileList | null) {
    const picked = [...(files ?? [])].slice(0, MAX_IMAGES - items.length);
    setError(null);
    setUploading((n) => n + picked.length);
    for (const file of picked) {
      try {
        const upload = await api.uploadMedia(file);
        setItems((current) => [...current, { ...upload, alt: "" }]);
      } catch (caught) {
        setError(
          `${file.name}: ${caught instanceof ApiError ? caught.message : errorMessage(caught)}`,
        );
      } finally {
        setUploading((n) => n - 1);
      }
    }
  }
  return {
    items,
    uploading: uploading > 0,
    error,
    add,
    remove: (id: string) => setItems((current) => current.filter((item) => item.id !== id)),
    setAlt: (id: string, alt: string) =>
      setItems((current) => current.map((item) => (item.id === id ? { ...item, alt } : item))),
    clear: () => setItems([]),
    /** What createPost takes. */
    input: () => items.map(({ id, alt }) => ({ id, alt: alt.trim() })),
  };
}

export type Attachments = ReturnType<typeof useAttachments>;

/** The composer's images: pick up to four, preview each, describe it, remove it before posting. */
export function AttachImages({ attachments }: { attachments: Attachments }) {
  const { items, uploading, error } = attachments;
  return (
    <div class="attachments">
      {items.length > 0 && (
        <ul class="attachment-list">
          {items.map((item, index) => (
            <li key={item.id} class="attachment">
              <img src={item.url} alt="" width={item.width} height={item.height} />
              <Field
                label={`Image ${index + 1}: describe it for people who cannot see it`}
                hint={
                  item.alt.trim()
                    ? undefined
                    : 'No description yet: a screen reader will only say "image".'
                }
              >
                {(props) => (
                  <textarea
                    {...props}
                    name={`alt-${index}`}
                    rows={2}
                    maxLength={MAX_ALT}
                    value={item.alt}
                    onInput={(event) => attachments.setAlt(item.id, event.currentTarget.value)}
                  />
                )}
              </Field>
              <button
                type="button"
                class="button secondary"
                onClick={() => attachments.remove(item.id)}
                aria-label={`Remove image ${index + 1}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {items.length < MAX_IMAGES && (
        <label class="attach-button button secondary">
          {uploading ? "Uploading…" : `Add images (up to ${MAX_IMAGES})`}
          <input
            class="visually-hidden"
            type="file"
            name="images"
            accept={ACCEPTED}
            multiple
            disabled={uploading}
            onChange={(event) => {
              const input = event.currentTarget;
              void attachments.add(input.files).then(() => {
                input.value = "";
              });
            }}
          />
        </label>
      )}
    </div>
  );
}

/** A post's images: lazy, with their alt text, and their size given so nothing shifts as they load. */
export function PostImages({ media }: { media: PostMedia[] | undefined }) {
  if (!media || media.length === 0) return null;
  return (
    <div class={`post-images count-${media.length}`}>
      {media.map((item) => (
        <img
          key={item.id}
          src={item.url}
          alt={item.alt}
          width={item.width}
          height={item.height}
          loading="lazy"
          decoding="async"
        />
      ))}
    </div>
  );
}
