import { and, isNotNull, lt } from "drizzle-orm";
import type { Db, Statement } from "./db";
import type { InboxFailuresTable } from "./dead-letters";
import type { ProcessedEventsTable } from "./inbox";
import type { OutboxTable } from "./outbox";

/** How long bookkeeping is kept: far longer than any redelivery (10 retries, a minute apart at most). */
export const KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/** Forgets sent outbox rows, processed event ids and failure notes older than a week. */
export async function prune(
  db: Db,
  tables: { processed: ProcessedEventsTable; failures: InboxFailuresTable; outbox?: OutboxTable },
  now = Date.now(),
): Promise<void> {
  const before = now - KEEP_MS;
  const statements: Statement[] = [
    db.delete(tables.processed).where(lt(tables.processed.processedAt, before)),
    db.delete(tables.failures).where(lt(tables.failures.failedAt, before)),
  ];
  if (tables.outbox) {
    const { outbox } = tables;
    statements.push(
      db.delete(outbox).where(and(isNotNull(outbox.sentAt), lt(outbox.sentAt, before))),
    );
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
