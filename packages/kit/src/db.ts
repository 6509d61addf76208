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
