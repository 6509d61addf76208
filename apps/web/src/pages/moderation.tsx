import { useState } from "preact/hooks";
import type { ReportCase, ResolveAction } from "../api";
import { api, errorMessage } from "../api";
import { Time } from "../components/time";
import { Empty, ErrorNote, Loading, PageTitle, useAsync, usePageTitle } from "../components/ui";
import { Link, paths } from "../router";
import { notify } from "../toasts";

const done: Record<ResolveAction, string> = {
  dismiss: "Dismissed: it is shown again.",
  hide: "Hidden from everyone but its author.",
  remove: "Removed.",
};

function CaseRow(props: { item: ReportCase; onResolved: (id: string) => void }) {
  const { item, onResolved } = props;
  const [busy, setBusy] = useState(false);
  async function resolve(action: ResolveAction) {
    setBusy(true);
    try {
      await api.resolveReport(item.id, action);
      notify(done[action]);
      onResolved(item.id);
    } catch (error) {
      notify(`Could not resolve the report. ${errorMessage(error)}`, "error");
      setBusy(false);
    }
  }
  const label = item.targetKind === "post" ? "Post" : "Comment";
  return (
    <article class="report-case" aria-label={`Reported ${item.targetKind}`}>
      <p>
        <strong>{label}</strong> · {item.status} · {item.reportCount}{" "}
        {item.reportCount === 1 ? "report" : "reports"} · first <Time iso={item.firstReportedAt} />
        {item.targetKind === "post" && (
          <>
            {" · "}
            <Link href={paths.post(item.targetId)}>Open</Link>
          </>
        )}
      </p>
      <blockquote>{item.excerpt}</blockquote>
      <p class="muted">Reasons: {item.reasons.join("; ")}</p>
      <div class="form-actions">
        {(["dismiss", "hide", "remove"] as const).map((action) => (
          <button
            key={action}
            type="button"
            class={action === "remove" ? "button danger" : "button secondary"}
            disabled={busy}
            onClick={() => resolve(action)}
          >
            {action === "dismiss" ? "Dismiss" : action === "hide" ? "Hide" : "Remove"}
          </button>
        ))}
      </div>
    </article>
  );
}

/** For moderators: open reports and held posts, the oldest first, each with its three actions. */
export function ModerationPage() {
  usePageTitle("Moderation");
  const queue = useAsync((signal) => api.reportQueue({ limit: 100, signal }), []);
  const resolved = (id: string) =>
    queue.setData((page) => ({ ...page, items: page.items.filter((item) => item.id !== id) }));
  return (
    <section>
      <PageTitle>Moderation queue</PageTitle>
      {queue.state.status === "loading" && <Loading />}
      {queue.state.status === "error" && (
        <ErrorNote error={queue.state.error} retry={queue.reload} />
      )}
      {queue.state.status === "ready" &&
        (queue.state.data.items.length === 0 ? (
          <Empty>Nothing to review.</Empty>
        ) : (
          <ul class="list" aria-label="Open reports">
            {queue.state.data.items.map((item) => (
              <li key={item.id}>
                <CaseRow item={item} onResolved={resolved} />
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
