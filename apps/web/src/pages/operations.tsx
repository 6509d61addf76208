import type { HealthReport, ServiceHealth } from "../api";
import { api } from "../api";
import { ErrorNote, Loading, PageTitle, useAsync, usePageTitle } from "../components/ui";
import { count } from "../format";

const statusWords: Record<HealthReport["status"], string> = {
  ok: "All services are well.",
  degraded: "Degraded: some events are waiting or dead-lettered.",
  down: "Down: some service or its database does not answer.",
};

/** "850 ms", "42 s", "6 min", "3 h": how long something has waited; "—" when nothing waits. */
function age(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1_000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

function ServiceRow({ entry }: { entry: ServiceHealth }) {
  const { details } = entry;
  return (
    <tr>
      <th scope="row">{entry.service}</th>
      <td>
        <span class={`health health-${entry.status}`}>{entry.status}</span>
      </td>
      <td>{details ? count(details.unsentEvents) : "—"}</td>
      <td>{details ? age(details.oldestUnsentAgeMs) : "—"}</td>
      <td>{details ? count(details.deadLetters) : "—"}</td>
      <td>{details ? age(details.oldestUnprocessedAgeMs) : "—"}</td>
    </tr>
  );
}

/**
 * For moderators: GET /v1/health with its figures, per service (docs/OPERATIONS.md says what each
 * means and what to do about it).
 */
export function OperationsPage() {
  usePageTitle("Operations");
  const health = useAsync((signal) => api.health(signal), []);
  return (
    <section>
      <PageTitle>Operations</PageTitle>
      {health.state.status === "loading" && <Loading />}
      {health.state.status === "error" && (
        <ErrorNote error={health.state.error} retry={health.reload} />
      )}
      {health.state.status === "ready" && (
        <>
          <p class={`health-summary health-${health.state.data.status}`} role="status">
            {statusWords[health.state.data.status]}
          </p>
          <div class="table-card">
            <table class="health-table">
              <caption>Each service's health</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Status</th>
                  <th scope="col">Unsent events</th>
                  <th scope="col">Oldest unsent</th>
                  <th scope="col">Dead letters</th>
                  <th scope="col">Oldest waiting message</th>
                </tr>
              </thead>
              <tbody>
                {health.state.data.services.map((entry) => (
                  <ServiceRow key={entry.service} entry={entry} />
                ))}
              </tbody>
            </table>
          </div>
          <div class="form-actions">
            <button type="button" class="button secondary" onClick={health.reload}>
              Refresh
            </button>
          </div>
        </>
      )}
      {/*
        LAST HOUR'S FIGURES (issue 17 item 5): the lead fills this section from the metrics work
        (requests, error rates, p50/p99 per route, queue lag over the last hour). Nothing is shown
        until those figures come from the server: none are made up here.
      */}
      <section aria-labelledby="last-hour" class="last-hour">
        <h2 id="last-hour">Last hour</h2>
        <p class="muted">The last hour's figures are not available yet.</p>
      </section>
    </section>
  );
}
