import { env } from "cloudflare:workers";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { beforeAll, describe, expect, it } from "vitest";
import { eventContext } from "./calls";
import { createDb, D1_LIMITS, insertGroups, newerBookmark, openSession, runBatch } from "./db";
import { isUniqueViolation } from "./errors";
import { enqueueAll, makeEvent, outboxTable, stampBookmark } from "./outbox";

declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
    }
  }
}

const outbox = outboxTable();
const wide = sqliteTable("wide", {
  id: text("id").primaryKey(),
  a: text("a").notNull(),
  b: text("b").notNull(),
  c: integer("c").notNull(),
  d: integer("d").notNull(),
  e: text("e").notNull(),
  f: text("f").notNull(),
});
const db = () => createDb(env.DB);

beforeAll(async () => {
  await env.DB.batch([
    env.DB.prepare(
      "CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, type TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL, sent_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0)",
    ),
    env.DB.prepare(
      "CREATE TABLE IF NOT EXISTS wide (id TEXT PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL, c INTEGER NOT NULL, d INTEGER NOT NULL, e TEXT NOT NULL, f TEXT NOT NULL)",
    ),
  ]);
});

/** The parameters a statement binds; every statement kit builds is a drizzle query with toSQL(). */
const params = (statement: object) =>
  (statement as { toSQL(): { params: unknown[] } }).toSQL().params.length;

describe("insertGroups", () => {
  it("keeps every INSERT within D1's 100 bound parameters, however many rows", async () => {
    const rows = Array.from({ length: 1_234 }, (_, i) => ({
      id: `row-${i}`,
      a: "a",
      b: "b",
      c: i,
      d: i,
      e: "e",
      f: "f",
    }));
    const groups = insertGroups(wide, rows);
    expect(groups.flat()).toEqual(rows);
    const statements = groups.map((group) => db().insert(wide).values(group));
    for (const statement of statements)
      expect(params(statement)).toBeLessThanOrEqual(D1_LIMITS.parametersPerStatement);
    // As few statements as the limit allows: 14 rows of 7 columns each.
    expect(statements).toHaveLength(Math.ceil(rows.length / 14));
    await runBatch(db(), statements);
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM wide").all<{ n: number }>();
    expect(results[0]?.n).toBe(rows.length);
  });
});

describe("enqueueAll", () => {
  it("records any number of events in statements D1 accepts", async () => {
    const events = Array.from({ length: 250 }, (_, i) =>
      makeEvent("posts", { requestId: "test" }, "user.deleted", {
        userId: `01JD00000000000000000${String(i).padStart(5, "0")}`,
      }),
    );
    const statements = enqueueAll(db(), outbox, events);
    for (const statement of statements)
      expect(params(statement)).toBeLessThanOrEqual(D1_LIMITS.parametersPerStatement);
    await runBatch(db(), statements);
    const { results } = await env.DB.prepare("SELECT id FROM outbox ORDER BY id").all<{
      id: string;
    }>();
    expect(results.map((row) => row.id)).toEqual(events.map((event) => event.id).sort());
  });
});

describe("isUniqueViolation", () => {
  it("recognises D1's unique-constraint error through drizzle's wrapping, by table too", async () => {
    const row = { id: "twice", a: "a", b: "b", c: 1, d: 1, e: "e", f: "f" };
    await db().insert(wide).values(row);
    const error = await db()
      .insert(wide)
      .values(row)
      .then(
        () => null,
        (caught: unknown) => caught,
      );
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, "wide")).toBe(true);
    expect(isUniqueViolation(error, "outbox")).toBe(false);
    expect(isUniqueViolation(new Error("D1_ERROR: Network connection lost"))).toBe(false);
  });
});

describe("sessions and bookmarks", () => {
  it("runs drizzle over a D1 session, whose bookmark moves forward with each write", async () => {
    const session = openSession(env.DB, "first-primary");
    expect(session.bookmark()).toBeNull();
    await session.db.insert(wide).values({ id: "s1", a: "a", b: "b", c: 1, d: 1, e: "e", f: "f" });
    const first = session.bookmark();
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]+$/);
    await session.db.insert(wide).values({ id: "s2", a: "a", b: "b", c: 2, d: 2, e: "e", f: "f" });
    const second = session.bookmark() ?? "";
    expect(second > (first ?? "")).toBe(true);
    expect(newerBookmark(first ?? undefined, second)).toBe(second);
    expect(newerBookmark(second, first ?? undefined)).toBe(second);
    expect(newerBookmark(undefined, second)).toBe(second);
    // A session opened at that bookmark sees both rows.
    const later = openSession(env.DB, second);
    const rows = await later.db.select().from(wide).all();
    expect(rows.map((row) => row.id)).toEqual(expect.arrayContaining(["s1", "s2"]));
  });

  it("stamps an event with its producer's bookmark, and a consumer's calls carry it", () => {
    const event = makeEvent("posts", { requestId: "req" }, "user.deleted", {
      userId: "01JD0000000000000000000001",
    });
    expect(stampBookmark(event, null)).toBe(event);
    const stamped = stampBookmark(event, "00000000-00000002-00000000-abc");
    expect(stamped.bookmark).toBe("00000000-00000002-00000000-abc");
    expect(eventContext(stamped)).toEqual({
      requestId: "req",
      actorId: null,
      bookmarks: { posts: "00000000-00000002-00000000-abc" },
    });
    expect(eventContext(event)).toEqual({ requestId: "req", actorId: null });
  });
});
