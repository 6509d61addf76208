/** Thrown when an operation has not settled within its deadline. */
export class DeadlineMissed extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no answer within ${deadlineMs} ms`);
    this.name = "DeadlineMissed";
  }
}

/**
 * Runs `attempt` and gives up with DeadlineMissed after `deadlineMs`. When an attempt fails, it is
 * started again up to `retries` times, all within the same deadline: a retry never makes a caller
 * wait longer than a single try would. `onFailure` hears of every failed attempt.
 */
export async function withinDeadline<T>(
  attempt: () => Promise<T>,
  options: {
    deadlineMs: number;
    retries?: number;
    onFailure?: (error: unknown, attempt: number) => void;
  },
): Promise<T> {
  const { deadlineMs, retries = 0, onFailure } = options;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineMissed(deadlineMs)), deadlineMs);
  });
  try {
    for (let tries = 1; ; tries++) {
      try {
        // attempt() runs inside the try, so one that throws before returning a promise counts too.
        return await Promise.race([attempt(), deadline]);
      } catch (error) {
        onFailure?.(error, tries);
        if (error instanceof DeadlineMissed || tries > retries) throw error;
      }
    }
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}
