import { useEffect, useRef, useState } from "preact/hooks";
import { notify } from "../toasts";
import { Field, FormError } from "./ui";

/** Asks why a post or comment is reported and sends it; the answer never says what happens next. */
export function ReportForm(props: {
  what: "post" | "comment";
  send: (reason: string) => Promise<void>;
  onDone: () => void;
}) {
  const { what, send, onDone } = props;
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => box.current?.focus(), []);
  async function submit(event: Event) {
    event.preventDefault();
    if (!reason.trim()) return;
    try {
      await send(reason);
      notify(`Thank you. The ${what} was reported to the moderators.`);
      onDone();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <form class="comment-form" onSubmit={submit}>
      <FormError error={error} />
      <Field label={`Why are you reporting this ${what}?`}>
        {(field) => (
          <input
            {...field}
            value={reason}
            maxLength={500}
            ref={box}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
        )}
      </Field>
      <div class="form-actions">
        <button type="submit" class="button" disabled={!reason.trim()}>
          Send report
        </button>
        <button type="button" class="button secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
