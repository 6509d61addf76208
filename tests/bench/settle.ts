// Waiting for the targets to go quiet between two load runs. A compose leaves work behind it (outbox
// relays, inbox consumers, fan-out) that runs on the same cores as the next run, whichever target
// that is: measured right after a burst of composes, a feed is slower for reasons of its own. So the
// benchmark waits until the processes it started (the targets' workerd) use almost no CPU.
import { readdirSync, readFileSync } from "node:fs";

// Linux reports process CPU time in clock ticks of 10 ms (USER_HZ is 100 on every architecture).
const TICK_MS = 10;

/**
 * CPU time (ms) used so far by every live descendant of this process (or only those whose command
 * is `command`), or null without /proc.
 */
export function descendantsCpuMs(command?: string): number | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: fields count from after it.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
      if (
        command === undefined ||
        stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) === command
      )
        cpu.set(Number(entry), (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  for (const [pid, used] of cpu) {
    for (let parent = parents.get(pid); parent !== undefined; parent = parents.get(parent)) {
      if (parent === process.pid) {
        total += used;
        break;
      }
    }
  }
  return total;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long the benchmark waited for quiet, and how often the targets were still busy at the cap. */
export const settled = { waitedMs: 0, stillBusy: 0 };

/**
 * Resolves once the targets have used under 5% of a core for a whole second (polled every 250 ms),
 * or after `maxMs` at most, counted in `settled`. Without /proc it waits a fixed 2 s.
 */
export async function settle(maxMs: number): Promise<void> {
  const started = Date.now();
  let last = descendantsCpuMs();
  if (last === null) {
    await sleep(2000);
    settled.waitedMs += Date.now() - started;
    return;
  }
  let quietSince = Date.now();
  for (;;) {
    await sleep(250);
    const now = descendantsCpuMs() ?? 0;
    // A process that ended takes its CPU time with it: a negative difference is quiet too.
    if (now - last > 250 * 0.05) quietSince = Date.now();
    last = now;
    if (Date.now() - quietSince >= 1000) break;
    if (Date.now() - started >= maxMs) {
      settled.stillBusy++;
      break;
    }
  }
  settled.waitedMs += Date.now() - started;
}
