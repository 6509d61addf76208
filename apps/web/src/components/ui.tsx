import type { ComponentChildren, JSX } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiError, errorMessage } from "../api";

/** Sets the tab's title, so history, tabs and screen readers name the page. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · flock` : "flock";
  }, [title]);
}

/** The page's main heading; focus moves here after each navigation (see App). */
export function PageTitle({ children }: { children: ComponentChildren }) {
  return (
    <h1 id="page-title" tabIndex={-1}>
      {children}
    </h1>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function ErrorNote({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="error-note" role="alert">
      <p>{errorMessage(error)}</p>
      {error instanceof ApiError && error.fieldErrors.length > 0 && (
        <ul>
          {error.fieldErrors.map((field) => (
            <li key={field.path}>
              {field.path}: {field.message}
            </li>
          ))}
        </ul>
      )}
      {retry && (
        <button type="button" class="button secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export type Async<T> =
  | { status: "loading" }
  | { status: "error"; error: unknown }
  | { status: "ready"; data: T };

/** Loads data for a page, aborting when the inputs change or the page goes away. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<Async<T>>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: "loading" });
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: "ready", data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: "error", error });
      },
    );
    return () => controller.abort();
    // The caller lists in `deps` what `load` reads.
  }, [...deps, attempt]);
  return {
    state,
    reload: () => setAttempt((n) => n + 1),
    setData: (update: (data: T) => T) =>
      setState((current) =>
        current.status === "ready" ? { status: "ready", data: update(current.data) } : current,
      ),
  };
}

type FieldProps = {
  label: string;
  error?: string | undefined;
  hint?: ComponentChildren;
  children: (props: {
    id: string;
    "aria-invalid": boolean;
    "aria-describedby": string | undefined;
  }) => JSX.Element;
};

/** A labelled control with its hint and error wired to it for screen readers. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{label}</label>
      {children({
        id,
        "aria-invalid": Boolean(error),
        "aria-describedby": describedBy || undefined,
      })}
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A lookup of the server's message for each field of a failed form (none for other failures). */
export const fieldOf = (error: unknown) => (path: string) =>
  error instanceof ApiError ? error.field(path) : undefined;

/** The message above a form that failed: the problem's detail, focused so it is read at once. */
export function FormError({ error }: { error: unknown }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  return (
    <div class="error-note" role="alert" tabIndex={-1} ref={ref}>
      <p>{errorMessage(error)}</p>
    </div>
  );
}

/** A form's submit button, in its actions row, showing `busyLabel` while the form is sent. */
export function SubmitButton(props: {
  busy: boolean;
  busyLabel: string;
  children: ComponentChildren;
}) {
  return (
    <div class="form-actions">
      <button type="submit" class="button" disabled={props.busy}>
        {props.busy ? props.busyLabel : props.children}
      </button>
    </div>
  );
}

/** Calls `callback` when the returned ref's element nears the screen (infinite scroll). */
export function useOnVisible(callback: () => void, enabled: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    const element = ref.current;
    if (!element || !enabled || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) latest.current();
      },
      { rootMargin: "600px 0px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [enabled]);
  return ref;
}

/** An inline "are you sure?" step for destructive actions, reachable by keyboard. */
export function Confirm(props: {
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <fieldset class="confirm">
      <legend>{props.question}</legend>
      <button
        type="button"
        class="button danger"
        onClick={props.onConfirm}
        disabled={props.busy}
        ref={ref}
      >
        {props.confirmLabel}
      </button>
      <button type="button" class="button secondary" onClick={props.onCancel}>
        Cancel
      </button>
    </fieldset>
  );
}
