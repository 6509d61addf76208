// The span lines the workers log (packages/kit/src/trace.ts), read back from wrangler's output: the
// local store of flock's metrics, for `npm run stats` and the tracing test.

/** The line `npm start` writes to its log before each run's output. */
export const RUN_MARKER = "=== flock start";

/** One span line as a worker logged it; the fields a kind does not have are absent. */
export type SpanLine = {
  span: string;
  kind: "route" | "rpc" | "consumer" | "event" | "cron" | "push" | "relay";
  service: string;
  trace: string;
  id: string;
  parent: string | null;
  ms: number;
  outcome: "ok" | "error";
  status?: number;
  queue?: string;
  messages?: number;
  applied?: number;
  retried?: number;
  duplicates?: number;
  deadLettered?: number;
  oldestAgeMs?: number;
  outboxUnsent?: number;
  outboxOldestAgeMs?: number;
  batch?: string;
  sent?: number;
  requestId?: string;
  /** When the span started, epoch milliseconds. */
  at: number;
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what it removes.
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * The span line a line of output carries, if any. wrangler may put something before a worker's
 * line (a timestamp, a worker's name, colours) and a terminal may wrap it: the span is the JSON
 * object that starts at `{"span":`, and anything else is skipped.
 */
export function spanOf(line: string): SpanLine | null {
  const text = line.replace(ANSI, "");
  const start = text.indexOf('{"span":');
  if (start < 0) return null;
  const end = text.lastIndexOf("}");
  if (end < start) return null;
  try {
    const parsed = JSON.parse(text.slice(start, end + 1)) as Partial<SpanLine>;
    if (
      typeof parsed.span !== "string" ||
      typeof parsed.trace !== "string" ||
      typeof parsed.id !== "string" ||
      typeof parsed.ms !== "number"
    )
      return null;
    return parsed as SpanLine;
  } catch {
    return null;
  }
}

/** Every span line in some output, in order. */
export function spansIn(text: string): SpanLine[] {
  const spans: SpanLine[] = [];
  for (const line of text.split("\n")) {
    const span = spanOf(line);
    if (span) spans.push(span);
  }
  return spans;
}
