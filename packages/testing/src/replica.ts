// A lagging read replica for local runs, where D1 has none (decision 0015). Test code only: a worker's
// test entry (workers/*/test/entry.ts, through ./hooks.ts) puts it in place of the worker's DB when
// the env has a REPLICA plan and a second local database, DB_REPLICA (scripts/test-flock.ts adds
// one, with the same migrations). No deployed bundle contains it (tests/system/bundles.test.ts).
//
// The copy is a real D1 database. Every write that reaches the primary through this wrapper is noted
// with the primary's bookmark after it, and replayed into the copy, in bookmark order, once it is
// older than `lagMs` and more than `lagWrites` writes behind the newest. The copy's bookmark is the
// primary bookmark of the last write replayed into it. A session reads from the copy unless it
// started at the primary (`first-primary`, until its first query) or has seen a state the copy has
// not reached yet (a bookmark it was opened with, or a write or read at the primary it made): then
// from the primary, as D1 routes a query to a replica only when it is at least as fresh as the
// session's bookmark. With `dropBookmarks`, a session ignores the bookmark it was opened with: the
// switch that shows a test can fail.
import { z } from "zod";

export const ReplicaPlan = z.object({
  /** Writes the copy stays behind the primary. */
  lagWrites: z.number().int().min(0).default(0),
  /** Milliseconds a write waits before the copy gets it. */
  lagMs: z.number().int().min(0).default(0),
  /** Sessions ignore the bookmark they are opened with (reads are as stale as the copy). */
  dropBookmarks: z.boolean().default(false),
});
export type ReplicaPlan = z.infer<typeof ReplicaPlan>;

type Query = { sql: string; params: unknown[] };
type Write = { queries: Query[]; bookmark: string; at: number };

/**
 * The copy of one database: the writes it has not replayed yet, the replays under way (in the order
 * they were claimed) and the state it has reached.
 */
type Copy = {
  pending: Write[];
  replays: Array<{ bookmark: string; done: boolean }>;
  reached: string | null;
  /** Replays the copy refused: it no longer equals the primary as of its bookmark. */
  diverged: number;
};

// Per isolate: every request's env is wrapped anew, but the copy's progress is the database's.
const copies = new Map<string, Copy>();
/** The SQL and parameters of each statement the wrapper has handed out, for batches. */
const statements = new WeakMap<object, Query>();

function kindOf(sql: string): "read" | "write" | "other" {
  const text = sql.trim().toLowerCase();
  // By the leading keyword: a SELECT may name replace() or a deleted_at column and still only read.
  if (/^select\b/.test(text)) return "read";
  if (/^with\b/.test(text))
    return /\)\s*(insert|update|delete|replace)\b/.test(text) ? "write" : "read";
  if (/^(insert|update|delete|replace|create|drop|alter)\b/.test(text)) return "write";
  return "other";
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}

/**
 * Replays into the copy the writes that are old enough, in the primary's order, as one batch. The
 * request that finds them due claims them and replays them itself: a promise of another request's
 * I/O must not be awaited (workerd cancels it with that request), so requests never wait on each
 * other's replays. The copy has reached a write once every replay claimed before it is done too.
 */
async function catchUp(copy: Copy, replica: D1Database, plan: ReplicaPlan): Promise<void> {
  copy.pending.sort((a, b) => (a.bookmark < b.bookmark ? -1 : 1));
  const now = Date.now();
  const due: Write[] = [];
  while (copy.pending.length > plan.lagWrites) {
    const next = copy.pending[0];
    if (!next || now - next.at < plan.lagMs) break;
    due.push(next);
    copy.pending.shift();
  }
  const last = due.at(-1);
  if (!last) return;
  const replay = { bookmark: last.bookmark, done: false };
  copy.replays.push(replay);
  try {
    await replica.batch(
      due.flatMap((write) =>
        write.queries.map(({ sql, params }) => replica.prepare(sql).bind(...params)),
      ),
    );
  } catch {
    // One batch is one transaction: replay them one by one, so that one refused write costs only itself.
    for (const write of due) {
      try {
        await replica.batch(
          write.queries.map(({ sql, params }) => replica.prepare(sql).bind(...params)),
        );
      } catch (error) {
        copy.diverged += 1;
        console.error(
          JSON.stringify({ level: "warn", message: "replica replay failed", error: String(error) }),
        );
      }
    }
  } finally {
    replay.done = true;
    while (copy.replays[0]?.done) {
      copy.reached = later(copy.reached, copy.replays[0].bookmark);
      copy.replays.shift();
    }
  }
}

type Target = { d1: D1Database | D1DatabaseSession; fromPrimary: boolean };

/** One simulated D1 session over the primary and its lagging copy. */
function session(
  primary: D1Database,
  replica: D1Database,
  copy: Copy,
  plan: ReplicaPlan,
  start: string | undefined,
  alwaysAtPrimary = false,
): D1DatabaseSession {
  const atPrimary = primary.withSession("first-primary");
  const bookmarked = start && start !== "first-primary" && start !== "first-unconstrained";
  let floor: string | null = bookmarked && !plan.dropBookmarks ? start : null;
  let firstAtPrimary = start === "first-primary";

  async function target(queries: Query[]): Promise<Target> {
    await catchUp(copy, replica, plan);
    const kinds = queries.map(({ sql }) => kindOf(sql));
    const fresh = floor === null || (copy.reached !== null && copy.reached >= floor);
    if (kinds.every((kind) => kind === "read") && !firstAtPrimary && !alwaysAtPrimary && fresh)
      return { d1: replica, fromPrimary: false };
    return { d1: atPrimary, fromPrimary: true };
  }

  async function execute<T>(
    queries: Query[],
    run: (d1: D1Database | D1DatabaseSession) => Promise<T>,
  ): Promise<T> {
    const chosen = await target(queries);
    const result = await run(chosen.d1);
    firstAtPrimary = false;
    if (chosen.fromPrimary) {
      const bookmark = atPrimary.getBookmark();
      floor = later(floor, bookmark);
      if (bookmark && queries.some(({ sql }) => kindOf(sql) === "write"))
        copy.pending.push({ queries, bookmark, at: Date.now() });
    } else floor = later(floor, copy.reached);
    return result;
  }

  function statement(query: Query): D1PreparedStatement {
    const prepared = (d1: D1Database | D1DatabaseSession) =>
      d1.prepare(query.sql).bind(...query.params);
    const lazy = {
      bind: (...params: unknown[]) => statement({ sql: query.sql, params }),
      first: (column?: string) =>
        execute([query], (d1) =>
          column === undefined ? prepared(d1).first() : prepared(d1).first(column),
        ),
      run: () => execute([query], (d1) => prepared(d1).run()),
      all: () => execute([query], (d1) => prepared(d1).all()),
      raw: (options?: { columnNames?: boolean }) =>
        execute([query], (d1) =>
          options?.columnNames
            ? prepared(d1).raw({ columnNames: true })
            : prepared(d1).raw({ columnNames: false }),
        ),
    };
    statements.set(lazy, query);
    return lazy as unknown as D1PreparedStatement;
  }

  const simulated = {
    prepare: (sql: string) => statement({ sql, params: [] }),
    batch: (list: D1PreparedStatement[]) => {
      const queries = list.map((item) => {
        const query = statements.get(item);
        if (!query) throw new Error("a statement from another session was batched");
        return query;
      });
      return execute(queries, (d1) =>
        d1.batch(queries.map(({ sql, params }) => d1.prepare(sql).bind(...params))),
      );
    },
    getBookmark: () => floor,
  };
  return simulated as unknown as D1DatabaseSession;
}

/**
 * The database a worker under test gets in place of `primary` when its env has a REPLICA plan: reads
 * from a copy that trails it (see the top of this file). Queries made on the binding itself, outside
 * any session, go to the primary, as D1 sends them without read replication.
 */
export function laggingD1(
  name: string,
  primary: D1Database,
  replica: D1Database,
  plan: ReplicaPlan,
): D1Database {
  let copy = copies.get(name);
  if (!copy) {
    copy = { pending: [], replays: [], reached: null, diverged: 0 };
    copies.set(name, copy);
  }
  const known = copy;
  const direct = session(primary, replica, known, plan, "first-primary", true);
  const wrapped = {
    withSession: (start?: string) => session(primary, replica, known, plan, start),
    prepare: (sql: string) => direct.prepare(sql),
    batch: (list: D1PreparedStatement[]) => direct.batch(list),
    exec: (sql: string) => primary.exec(sql),
    dump: () => primary.dump(),
  };
  return wrapped as unknown as D1Database;
}

/** The REPLICA plan of an env, or null when it has none. */
export function replicaPlanOf(env: object): ReplicaPlan | null {
  const raw = (env as { REPLICA?: unknown }).REPLICA;
  return typeof raw === "string" && raw !== "" ? ReplicaPlan.parse(JSON.parse(raw)) : null;
}
