import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";

export type Db = ReturnType<typeof createDb>;
export type Statement = BatchItem<"sqlite">;

export function createDb(d1: D1Database) {
  return drizzle(d1);
}

/**
 * Where a D1 session starts: anywhere (a replica, `first-unconstrained`), at the primary
 * (`first-primary`), or at a replica at least as fresh as a bookmark.
 */
export type SessionStart = "first-unconstrained" | "first-primary" | (string & {});

/** A service's database opened through D1's Sessions API, with the bookmark it has reached. */
export type Session = {
  db: Db;
  /** The state of the database the session's queries have seen or made; null before the first. */
  bookmark(): string | null;
};

/**
 * Opens a database through D1's Sessions API (docs/decisions/0015-global-reads.md): every query of
 * the session sees every earlier one's effects, and the first one is served by a copy at least as
 * fresh as `start`. drizzle's D1 driver only prepares statements and batches them, which a session
 * does as the database does.
 */
export function openSession(d1: D1Database, start: SessionStart): Session {
  const session = d1.withSession(start);
  return {
    db: drizzle(session as unknown as D1Database),
    bookmark: () => session.getBookmark(),
  };
}

/** The newer of two bookmarks of one database: D1's bookmarks compare as strings. */
export function newerBookmark(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}

/**
 * D1's limits that bulk writes must stay within: bound parameters per statement, and queries per
 * Worker invocation on the paid plan (each statement of a batch counts as one).
 */
export const D1_LIMITS = { parametersPerStatement: 100, queriesPerInvocation: 1000 } as const;

/** Runs statements as one D1 batch (one round trip, one transaction); an empty list is a no-op. */
export async function runBatch(db: Db, statements: Statement[]): Promise<void> {
  const [first, ...rest] = statements;
  if (first === undefined) return;
  await db.batch([first, ...rest]);
}

/**
 * Splits the rows of a multi-row INSERT into `table` into groups small enough for one statement
 * each: a row binds at most one parameter per column, and a statement at most D1's 100.
 */
export function insertGroups<Row>(table: SQLiteTable, rows: readonly Row[]): Row[][] {
  const columns = Object.keys(getTableColumns(table)).length;
  const size = Math.max(1, Math.floor(D1_LIMITS.parametersPerStatement / columns));
  const groups: Row[][] = [];
  for (let start = 0; start < rows.length; start += size)
    groups.push(rows.slice(start, start + size));
  return groups;
}

/**
 * `column IN (values)` with the whole list bound as one JSON parameter, so long lists stay within
 * D1's limit of 100 bound parameters per statement.
 */
export function inList(column: SQLiteColumn, values: readonly string[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
