import { monotonicFactory } from "ulidx";

const ulid = monotonicFactory();

/** A new time-sortable id (ULID). */
export function newId(): string {
  return ulid();
}

export function nowIso(): string {
  return new Date().toISOString();
}
