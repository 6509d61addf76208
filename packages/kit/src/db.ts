import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

export type Db = ReturnType<typeof createDb>;
export type Statement = BatchItem<"sqlite">;

export function createDb(d1: D1Database) {
  return drizzle(d1);
}

/** Runs statements as one D1 batch (one round trip, one transaction); an empty list is a no-op. */
export async function runBatch(db: Db, statements: Statement[]): Promise<void> {
  const [first, ...rest] = statements;
  if (first === undefined) return;
  await db.batch([first, ...rest]);
}

/**
 * `column IN (values)` with the whole list bound as one JSON parameter, so long lists stay within
 * D1's limit of 100 bound parameters per statement.
 */
export function inList(column: SQLiteColumn, values: readonly string[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
