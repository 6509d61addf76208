import { useState } from "preact/hooks";
import { api } from "../api";
import { Field, FormError, fieldOf, PageTitle, SubmitButton, usePageTitle } from "../components/ui";
import { Link, navigate } from "../router";
import { signIn } from "../session";
import { notify } from "../toasts";

/** Where to go after signing in: a local path from ?next=, or home. */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get("next");
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function LoginPage() {
  usePageTitle("Log in");
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const field = fieldOf(error);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      signIn(await api.login({ login, password }));
      navigate(nextPath(), { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="narrow card">
      <PageTitle>Log in</PageTitle>
      <form onSubmit={submit} noValidate>
        <FormError error={error} />
        <Field label="Handle or email" error={field("login")}>
          {(props) => (
            <input
              {...props}
              name="login"
              autocomplete="username"
              required
              value={login}
              onInput={(event) => setLogin(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Password" error={field("password")}>
          {(props) => (
            <input
              {...props}
              type="password"
              name="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(event) => setPassword(event.currentTarget.value)}
            />
          )}
        </Field>
        <SubmitButton busy={busy} busyLabel="Logging in…">
          Log in
        </SubmitButton>
      </form>
      <p>
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New to flock? <Link href="/signup">Create an account</Link>.
      </p>
    </section>
  );
}

export function SignupPage() {
  usePageTitle("Sign up");
  const [form, setForm] = useState({ handle: "", displayName: "", email: "", password: "" });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const field = fieldOf(error);
  const set = (name: keyof typeof form) => (event: { currentTarget: HTMLInputElement }) =>
    setForm((current) => ({ ...current, [name]: event.currentTarget.value }));

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const reply = await api.register({
        handle: form.handle,
        email: form.email,
        password: form.password,
        ...(form.displayName.trim() ? { displayName: form.displayName } : {}),
      });
      signIn(reply);
      notify(`Welcome to flock, ${reply.user.displayName}!`);
      navigate(nextPath(), { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="narrow card">
      <PageTitle>Create your account</PageTitle>
      <form onSubmit={submit} noValidate>
        <FormError error={error} />
        <Field
          label="Handle"
          hint="3 to 30 letters, digits or underscores; people mention you with @handle."
          error={field("handle")}
        >
          {(props) => (
            <input
              {...props}
              name="handle"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              value={form.handle}
              onInput={set("handle")}
            />
          )}
        </Field>
        <Field label="Display name (optional)" error={field("displayName")}>
          {(props) => (
            <input
              {...props}
              name="displayName"
              autocomplete="name"
              maxLength={50}
              value={form.displayName}
              onInput={set("displayName")}
            />
          )}
        </Field>
        <Field label="Email" error={field("email")}>
          {(props) => (
            <input
              {...props}
              type="email"
              name="email"
              autocomplete="email"
              required
              value={form.email}
              onInput={set("email")}
            />
          )}
        </Field>
        <Field label="Password" hint="At least 8 characters." error={field("password")}>
          {(props) => (
            <input
              {...props}
              type="password"
              name="password"
              autocomplete="new-password"
              required
              value={form.password}
              onInput={set("password")}
            />
          )}
        </Field>
        <SubmitButton busy={busy} busyLabel="Creating your account…">
          Sign up
        </SubmitButton>
      </form>
      <p>
        Already have an account? <Link href="/login">Log in</Link>.
      </p>
    </section>
  );
}
