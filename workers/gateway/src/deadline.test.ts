import { DeadlineMissed, withinDeadline } from "@flock/kit";
import { describe, expect, it } from "vitest";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => {});

describe("withinDeadline", () => {
  it("returns what the attempt returns", async () => {
    expect(await withinDeadline(async () => 42, { deadlineMs: 1000 })).toBe(42);
  });

  it("gives up at the deadline when the attempt hangs", async () => {
    const started = Date.now();
    await expect(withinDeadline(never, { deadlineMs: 100 })).rejects.toBeInstanceOf(DeadlineMissed);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("does not retry unless asked to", async () => {
    let tries = 0;
    const failing = async () => {
      tries += 1;
      throw new Error("binding failed");
    };
    await expect(withinDeadline(failing, { deadlineMs: 1000 })).rejects.toThrow("binding failed");
    expect(tries).toBe(1);
  });

  it("retries a failed attempt once and returns the second answer", async () => {
    let tries = 0;
    const failures: number[] = [];
    const flaky = async () => {
      tries += 1;
      if (tries === 1) throw new Error("binding failed");
      return "second";
    };
    const value = await withinDeadline(flaky, {
      deadlineMs: 1000,
      retries: 1,
      onFailure: (_, attempt) => failures.push(attempt),
    });
    expect(value).toBe("second");
    expect(failures).toEqual([1]);
  });

  it("stops after its retries, with the last failure", async () => {
    let tries = 0;
    const failing = async () => {
      tries += 1;
      throw new Error(`failure ${tries}`);
    };
    await expect(withinDeadline(failing, { deadlineMs: 1000, retries: 1 })).rejects.toThrow(
      "failure 2",
    );
    expect(tries).toBe(2);
  });

  it("counts an attempt that throws before returning a promise as a failure", async () => {
    let tries = 0;
    const throwsAtOnce = (): Promise<string> => {
      tries += 1;
      if (tries === 1) throw new Error("no such binding");
      return Promise.resolve("ok");
    };
    expect(await withinDeadline(throwsAtOnce, { deadlineMs: 1000, retries: 1 })).toBe("ok");
  });

  it("lets a retry use only what is left of the deadline, and never retries a missed one", async () => {
    let tries = 0;
    const slow = async () => {
      tries += 1;
      await sleep(60);
      throw new Error("failed late");
    };
    const started = Date.now();
    const hangsOnRetry = () => (tries === 0 ? slow() : never());
    await expect(
      withinDeadline(hangsOnRetry, { deadlineMs: 100, retries: 1 }),
    ).rejects.toBeInstanceOf(DeadlineMissed);
    expect(Date.now() - started).toBeLessThan(150);

    let hangs = 0;
    await expect(
      withinDeadline(
        () => {
          hangs += 1;
          return never();
        },
        { deadlineMs: 50, retries: 1 },
      ),
    ).rejects.toBeInstanceOf(DeadlineMissed);
    expect(hangs).toBe(1);
  });
});
