import { useState } from "preact/hooks";
import type { SignedInDevice, UpdateMeInput, User } from "../api";
import { ApiError, api } from "../api";
import { CharCount } from "../components/composer";
import { RestrictedAccounts } from "../components/safety";
import { Time } from "../components/time";
import {
  ErrorNote,
  Field,
  FormError,
  Loading,
  PageTitle,
  useAsync,
  usePageTitle,
} from "../components/ui";
import { navigate } from "../router";
import { setUser, signOut } from "../session";
import { notify } from "../toasts";

const MAX_BIO = 500;

function DeleteAccount({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function remove(event: Event) {
    event.preventDefault();
    if (typed.trim().toLowerCase() !== user.handle) return;
    setBusy(true);
    setError(null);
    try {
      await api.deleteMe(password);
      signOut();
      notify("Your account was deleted. Your posts and comments disappear within seconds.");
      navigate("/", { replace: true });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }
  return (
    <section class="card danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete account</h2>
      <p>
        This deletes your account, your posts, comments, likes and notifications. It cannot be
        undone.
      </p>
      {open ? (
        <form onSubmit={remove}>
          <FormError error={error} />
          <Field label={`Type your handle, ${user.handle}, to confirm`}>
            {(props) => (
              <input
                {...props}
                autocomplete="off"
                autocapitalize="none"
                value={typed}
                onInput={(event) => setTyped(event.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            label="Your password"
            error={error instanceof ApiError ? error.field("password") : undefined}
          >
            {(props) => (
              <input
                {...props}
                type="password"
                autocomplete="current-password"
                value={password}
                onInput={(event) => setPassword(event.currentTarget.value)}
              />
            )}
          </Field>
          <div class="form-actions">
            <button
              type="submit"
              class="button danger"
              disabled={busy || typed.trim().toLowerCase() !== user.handle || !password}
            >
              {busy ? "Deleting…" : "Delete my account"}
            </button>
            <button type="button" class="button secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" class="button danger-outline" onClick={() => setOpen(true)}>
          Delete account…
        </button>
      )}
    </section>
  );
}

/** What the list shows for a device: its browser as it named itself, or a plain stand-in. */
function deviceName(device: SignedInDevice): string {
  return device.userAgent?.trim() || "Unknown device";
}

function SignedInDevices() {
  const { state, reload, setData } = useAsync((signal) => api.sessions(signal), []);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function act(
    action: () => Promise<void>,
    done: (items: SignedInDevice[]) => SignedInDevice[],
    message: string,
  ) {
    setBusy(true);
    setError(null);
    try {
      await action();
      setData((data) => ({ items: done(data.items) }));
      notify(message);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  const others = state.status === "ready" ? state.data.items.filter((d) => !d.current) : [];
  return (
    <section class="card" aria-labelledby="devices-title">
      <h2 id="devices-title">Signed-in devices</h2>
      <p>
        Each device or browser where you logged in. Signing one out ends its session at once; its
        copy of your login stops working within a minute everywhere.
      </p>
      <FormError error={error} />
      {state.status === "loading" && <Loading label="Loading your devices…" />}
      {state.status === "error" && <ErrorNote error={state.error} retry={reload} />}
      {state.status === "ready" && (
        <>
          <ul class="devices" aria-label="Signed-in devices">
            {state.data.items.map((device) => (
              <li key={device.id} class="device">
                <div>
                  <p class="device-name">
                    {deviceName(device)}
                    {device.current && <strong class="device-current"> · This device</strong>}
                  </p>
                  <p class="hint">
                    Signed in <Time iso={device.createdAt} />, last used{" "}
                    <Time iso={device.lastUsedAt} />
                  </p>
                </div>
                {!device.current && (
                  <button
                    type="button"
                    class="button secondary"
                    disabled={busy}
                    aria-label={`Sign out ${deviceName(device)}, signed in ${device.createdAt}`}
                    onClick={() =>
                      act(
                        () => api.endSession(device.id),
                        (items) => items.filter((d) => d.id !== device.id),
                        "That device is signed out.",
                      )
                    }
                  >
                    Sign out
                  </button>
                )}
              </li>
            ))}
          </ul>
          {others.length > 0 && (
            <div class="form-actions">
              <button
                type="button"
                class="button danger-outline"
                disabled={busy}
                onClick={() =>
                  act(
                    () => api.endOtherSessions(),
                    (items) => items.filter((d) => d.current),
                    "Every other device is signed out.",
                  )
                }
              >
                Sign out everywhere else
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

export function SettingsPage({ user }: { user: User }) {
  usePageTitle("Settings");
  const [form, setForm] = useState({
    displayName: user.displayName,
    bio: user.bio ?? "",
    email: user.email,
    password: "",
    currentPassword: "",
  });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);
  // A new avatar: an upload (shown at once), or null to remove the current one; undefined keeps it.
  const [avatar, setAvatar] = useState<{ id: string; url: string } | null | undefined>(undefined);
  const [uploading, setUploading] = useState(false);
  const field = (path: string) => (error instanceof ApiError ? error.field(path) : undefined);
  async function pickAvatar(event: { currentTarget: HTMLInputElement }) {
    const file = event.currentTarget.files?.[0];
    if (!file) return;
    setUploading(true);
    setError(null);
    try {
      const upload = await api.uploadMedia(file);
      setAvatar({ id: upload.id, url: upload.url });
    } catch (caught) {
      setError(caught);
    } finally {
      setUploading(false);
    }
  }
  const shownAvatar = avatar === undefined ? user.avatarUrl : (avatar?.url ?? null);
  const set =
    (name: keyof typeof form) =>
    (event: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
      setForm((current) => ({ ...current, [name]: event.currentTarget.value }));

  async function submit(event: Event) {
    event.preventDefault();
    // Only what changed: an unchanged email or an empty password field is not sent.
    const input: UpdateMeInput = {};
    if (form.displayName !== user.displayName) input.displayName = form.displayName;
    if (form.bio !== (user.bio ?? "")) input.bio = form.bio.trim() ? form.bio : null;
    if (avatar !== undefined) input.avatarMediaId = avatar?.id ?? null;
    if (form.email !== user.email) input.email = form.email;
    if (form.password) input.password = form.password;
    // The server asks for it only with a new email or password (and says so when it is missing).
    if ((input.email !== undefined || input.password !== undefined) && form.currentPassword)
      input.currentPassword = form.currentPassword;
    if (Object.keys(input).length === 0) {
      setSaved("Nothing changed.");
      return;
    }
    setBusy(true);
    setError(null);
    setSaved("");
    try {
      const updated = await api.updateMe(input);
      setUser(updated);
      setAvatar(undefined);
      setForm((current) => ({ ...current, password: "", currentPassword: "" }));
      setSaved(
        input.password
          ? "Your settings were saved. Your other devices are signed out."
          : "Your settings were saved.",
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageTitle>Settings</PageTitle>
      <form class="card" onSubmit={submit} noValidate aria-labelledby="profile-settings">
        <h2 id="profile-settings">Profile and account</h2>
        <FormError error={error} />
        <Field label="Display name" error={field("displayName")}>
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
        <Field label="Bio" error={field("bio")}>
          {(props) => (
            <>
              <textarea
                {...props}
                aria-describedby={[props["aria-describedby"], "bio-count"]
                  .filter(Boolean)
                  .join(" ")}
                name="bio"
                rows={3}
                value={form.bio}
                onInput={set("bio")}
              />
              <CharCount id="bio-count" length={form.bio.trim().length} max={MAX_BIO} />
            </>
          )}
        </Field>
        <Field
          label="Avatar"
          hint="A JPEG, PNG, WebP or GIF up to 5 MiB. Its location and camera details are removed."
          error={field("avatarMediaId")}
        >
          {(props) => (
            <div class="avatar-picker">
              {shownAvatar ? (
                <img class="avatar" src={shownAvatar} alt="Your avatar" width={64} height={64} />
              ) : null}
              <input
                {...props}
                type="file"
                name="avatar"
                accept="image/jpeg,image/png,image/webp,image/gif"
                disabled={uploading}
                onChange={pickAvatar}
              />
              {shownAvatar ? (
                <button type="button" class="button secondary" onClick={() => setAvatar(null)}>
                  Remove avatar
                </button>
              ) : null}
            </div>
          )}
        </Field>
        <Field label="Email" error={field("email")}>
          {(props) => (
            <input
              {...props}
              type="email"
              name="email"
              autocomplete="email"
              value={form.email}
              onInput={set("email")}
            />
          )}
        </Field>
        <Field
          label="New password"
          hint="At least 8 characters. Leave empty to keep your password."
          error={field("password")}
        >
          {(props) => (
            <input
              {...props}
              type="password"
              name="password"
              autocomplete="new-password"
              value={form.password}
              onInput={set("password")}
            />
          )}
        </Field>
        <Field
          label="Current password"
          hint="Needed to change your email or password. A new password signs out your other devices."
          error={field("currentPassword")}
        >
          {(props) => (
            <input
              {...props}
              type="password"
              name="currentPassword"
              autocomplete="current-password"
              value={form.currentPassword}
              onInput={set("currentPassword")}
            />
          )}
        </Field>
        <div class="form-actions">
          <button type="submit" class="button" disabled={busy}>
            {busy ? "Saving…" : "Save changes"}
          </button>
          <p class="saved" role="status">
            {saved}
          </p>
        </div>
      </form>
      <SignedInDevices />
      <RestrictedAccounts list="blocks" />
      <RestrictedAccounts list="mutes" />
      <DeleteAccount user={user} />
    </>
  );
}
