// The pages a mailed link leads to, and the one that asks for a reset link. The token travels in
// the link's fragment (#token=…), which browsers never send to a server; each page reads it once
// and takes it out of the address bar, so it stays out of history and of shared screenshots.
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import {
  Field,
  FormError,
  fieldOf,
  Loading,
  PageTitle,
  SubmitButton,
  usePageTitle,
} from "../components/ui";
import { Link, navigate } from "../router";
import { session, setUser, signOut } from "../session";
import { notify } from "../toasts";

/** The token of the mailed link that opened this page, taken out of the address bar. */
function useMailedToken(): string {
  const [token] = useState(
    () => new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "",
  );
  useEffect(() => {
    if (window.location.hash)
      history.replaceState(null, "", window.location.pathname + window.location.search);
  }, []);
  return token;
}

export function ForgotPasswordPage() {
  usePageTitle("Forgot your password?");
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setSent((await api.requestPasswordReset(email)).detail);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="narrow card">
      <PageTitle>Forgot your password?</PageTitle>
      {sent ? (
        <div role="status">
          <p>{sent}</p>
          <p>The link works once, for an hour. No mail? Check the address and ask again.</p>
        </div>
      ) : (
        <form onSubmit={submit} noValidate>
          <p>Give the email of your account: we mail you a link to choose a new password.</p>
          <FormError error={error} />
          <Field label="Email" error={fieldOf(error)("email")}>
            {(props) => (
              <input
                {...props}
                type="email"
                name="email"
                autocomplete="email"
                required
                value={email}
                onInput={(event) => setEmail(event.currentTarget.value)}
              />
            )}
          </Field>
          <SubmitButton busy={busy} busyLabel="Sending…">
            Mail me a link
          </SubmitButton>
        </form>
      )}
      <p>
        Remembered it? <Link href="/login">Log in</Link>.
      </p>
    </section>
  );
}

export function ResetPasswordPage() {
  usePageTitle("Choose a new password");
  const token = useMailedToken();
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.confirmPasswordReset({ token, password });
      // Every session of the account ended with the reset, this browser's too.
      signOut();
      notify("Your password is changed, and every device was signed out. Log in with it.");
      navigate("/login", { replace: true });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  if (!token)
    return (
      <section class="narrow card">
        <PageTitle>Choose a new password</PageTitle>
        <p>
          This page needs the link from your mail. <Link href="/forgot-password">Ask for one</Link>.
        </p>
      </section>
    );
  const expired = error instanceof ApiError && error.field("token");
  return (
    <section class="narrow card">
      <PageTitle>Choose a new password</PageTitle>
      <form onSubmit={submit} noValidate>
        <FormError error={error} />
        {expired && (
          <p>
            <Link href="/forgot-password">Ask for a new link</Link>.
          </p>
        )}
        <Field
          label="New password"
          hint="At least 8 characters."
          error={fieldOf(error)("password")}
        >
          {(props) => (
            <input
              {...props}
              type="password"
              name="password"
              autocomplete="new-password"
              required
              value={password}
              onInput={(event) => setPassword(event.currentTarget.value)}
            />
          )}
        </Field>
        <SubmitButton busy={busy} busyLabel="Saving…">
          Set password
        </SubmitButton>
      </form>
    </section>
  );
}

export function VerifyEmailPage() {
  usePageTitle("Confirm your email");
  const token = useMailedToken();
  const [outcome, setOutcome] = useState<"checking" | "verified" | unknown>(
    token ? "checking" : new ApiError(400, "This page needs the link from your mail."),
  );

  useEffect(() => {
    if (!token) return;
    api.verifyEmail(token).then(
      async () => {
        setOutcome("verified");
        // A signed-in visitor's banner goes away with the flag.
        if (session.get().user) setUser(await api.me());
      },
      (error: unknown) => setOutcome(error),
    );
  }, [token]);

  return (
    <section class="narrow card">
      <PageTitle>Confirm your email</PageTitle>
      {outcome === "checking" ? (
        <Loading label="Confirming…" />
      ) : outcome === "verified" ? (
        <div role="status">
          <p>Your email is confirmed. Thank you!</p>
          <p>
            <Link href="/">Go to flock</Link>
          </p>
        </div>
      ) : (
        <>
          <FormError error={outcome} />
          <p>Signed in? The banner at the top of the page mails you a new link.</p>
        </>
      )}
    </section>
  );
}
