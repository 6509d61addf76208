import { env } from "cloudflare:workers";
import { DrizzleQueryError } from "drizzle-orm";
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createDb } from "./db";
import { describeError, toResult } from "./errors";

const accounts = sqliteTable("log_accounts", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
});
const db = () => createDb(env.DB);
const EMAIL = "ada.lovelace@example.com";

beforeAll(async () => {
  await env.DB.prepare(
    "CREATE TABLE IF NOT EXISTS log_accounts (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE)",
  ).run();
  await db().insert(accounts).values({ id: "first", email: EMAIL });
});

/** Everything written to console.error while `run` runs, as one string. */
async function logsOf(run: () => Promise<unknown>): Promise<string> {
  const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
  try {
    await run();
    return spy.mock.calls.flat().map(String).join("\n");
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("logging a failed query", () => {
  it("logs the SQL and the driver's error of an unexpected failure, never the bound parameters", async () => {
    const duplicate = () => db().insert(accounts).values({ id: "second", email: EMAIL });
    // drizzle's own message carries the params: this is what must not reach the log.
    expect(String(await duplicate().catch((error: unknown) => error))).toContain(EMAIL);

    let result: unknown;
    const logs = await logsOf(async () => {
      result = await toResult("req-unique", duplicate);
    });
    expect(result).toEqual({ ok: false, error: { code: "internal" } });
    expect(logs).toContain("req-unique");
    expect(logs).toContain("Failed query: insert into");
    expect(logs).toContain("values (?, ?)");
    expect(logs).toContain("UNIQUE constraint failed");
    expect(logs).toContain("    at ");
    expect(logs).not.toContain(EMAIL);
  });

  it("logs a transient failure without its parameters either", async () => {
    const failure = new DrizzleQueryError(
      'select "id" from "log_accounts" where "email" = ?',
      [EMAIL],
      new Error("D1_ERROR: Network connection lost."),
    );
    let result: unknown;
    const logs = await logsOf(async () => {
      result = await toResult("req-transient", () => Promise.reject(failure));
    });
    expect(result).toMatchObject({ ok: false, error: { code: "unavailable" } });
    expect(logs).toContain("transient failure");
    expect(logs).toContain("Network connection lost");
    expect(logs).not.toContain(EMAIL);
  });

  it("describes other errors as they are, with their causes", () => {
    const error = new Error("outer", { cause: new Error("inner") });
    expect(describeError(error)).toBe("Error: outer; cause: Error: inner");
    expect(describeError("plain")).toBe("plain");
  });
});
