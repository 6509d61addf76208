import { useState } from "preact/hooks";
import { api, errorMessage, type User } from "../api";

/** Asks a signed-in user whose email is not verified to open the mailed link, and can mail another. */
export function VerifyEmailBanner({ user }: { user: User }) {
  const [state, setState] = useState<"idle" | "sending" | "sent" | { error: unknown }>("idle");
  if (user.emailVerified) return null;

  async function resend() {
    setState("sending");
    try {
      await api.resendVerification();
      setState("sent");
    } catch (error) {
      setState({ error });
    }
  }

  return (
    <aside class="banner" aria-label="Address not confirmed">
      <p>
        Confirm your email: we mailed a link to <strong>{user.email}</strong>.{" "}
        {state === "sent" ? (
          <span role="status">A new link is on its way.</span>
        ) : (
          <button type="button" class="link-button" disabled={state === "sending"} onClick={resend}>
            {state === "sending" ? "Sending…" : "Send it again"}
          </button>
        )}
      </p>
      {typeof state === "object" && (
        <p role="alert" class="field-error">
          {errorMessage(state.error)}
        </p>
      )}
    </aside>
  );
}
