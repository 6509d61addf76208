import { useState } from "preact/hooks";
import { api, errorMessage } from "../api";
import { notify } from "../toasts";
import { useAsync } from "./ui";

/** For moderators on someone's profile: whether the account is suspended, and the switch. */
export function Suspension({ handle }: { handle: string }) {
  const account = useAsync((signal) => api.moderatedAccount(handle, signal), [handle]);
  const [busy, setBusy] = useState(false);
  if (account.state.status !== "ready") return null;
  const { suspended, role } = account.state.data;
  if (role === "moderator") return null;
  async function toggle() {
    setBusy(true);
    try {
      const next = suspended ? await api.unsuspend(handle) : await api.suspend(handle);
      account.setData(() => next);
      notify(next.suspended ? `@${handle} is suspended.` : `@${handle} is no longer suspended.`);
    } catch (error) {
      notify(`Could not change the suspension. ${errorMessage(error)}`, "error");
    } finally {
      setBusy(false);
    }
  }
  return (
    <p>
      {suspended && <span class="chip">Suspended</span>}{" "}
      <button type="button" class="button danger" disabled={busy} onClick={toggle}>
        {suspended ? "Unsuspend" : "Suspend"}
      </button>
    </p>
  );
}
