import type { HealthReport, OperationsFigures, ServiceHealth } from "../api";
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

type Latency = OperationsFigures["routes"][number];

function LatencyTable({
  caption,
  first,
  rows,
}: {
  caption: string;
  first: string;
  rows: Latency[];
}) {
  if (rows.length === 0) return null;
  return (
    <div class="table-card">
      <table class="health-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{first}</th>
            <th scope="col">Count</th>
            <th scope="col">4xx</th>
            <th scope="col">5xx</th>
            <th scope="col">p50</th>
            <th scope="col">p99</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name}>
              <th scope="row">{row.name}</th>
              <td>{count(row.count)}</td>
              <td>{count(row.clientErrors)}</td>
              <td>{count(row.serverErrors)}</td>
              <td>{age(Math.round(row.p50Ms))}</td>
              <td>{age(Math.round(row.p99Ms))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The last hour's figures (GET /v1/operations/figures): Analytics Engine in production, the run's
 * span lines locally; when the gateway has neither, it says so.
 */
function LastHour() {
  const figures = useAsync((signal) => api.figures(signal), []);
  return (
    <section aria-labelledby="last-hour" class="last-hour">
      <h2 id="last-hour">Last hour</h2>
      {figures.state.status === "loading" && <Loading />}
      {figures.state.status === "error" && (
        <ErrorNote error={figures.state.error} retry={figures.reload} />
      )}
      {figures.state.status === "ready" && (
        <>
          <p class="muted">
            {figures.state.data.source === "analytics-engine"
              ? "From Analytics Engine."
              : "From this local run's span lines."}
          </p>
          {figures.state.data.routes.length === 0 && (
            <p class="muted">No requests in the last hour.</p>
          )}
          <LatencyTable
            caption="Requests per route"
            first="Route"
            rows={figures.state.data.routes}
          />
          <LatencyTable
            caption="Calls per RPC method"
            first="Method"
            rows={figures.state.data.methods}
          />
          {figures.state.data.queues.length > 0 && (
            <div class="table-card">
              <table class="health-table">
                <caption>Queues</caption>
                <thead>
                  <tr>
                    <th scope="col">Queue</th>
                    <th scope="col">Consumed</th>
                    <th scope="col">Retried</th>
                    <th scope="col">Dead-lettered</th>
                    <th scope="col">Oldest waited (median)</th>
                    <th scope="col">Oldest waited (most)</th>
                  </tr>
                </thead>
                <tbody>
                  {figures.state.data.queues.map((row) => (
                    <tr key={row.queue}>
                      <th scope="row">{row.queue}</th>
                      <td>{count(row.consumed)}</td>
                      <td>{count(row.retried)}</td>
                      <td>{count(row.deadLettered)}</td>
                      <td>{age(Math.round(row.oldestAgeP50Ms))}</td>
                      <td>{age(Math.round(row.oldestAgeMaxMs))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
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
      <LastHour />
    </section>
  );
}
