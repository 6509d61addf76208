import type { Page } from "@flock/contracts";
import { AppError } from "./errors";

/** Cursors are opaque to clients: the sort key of the last item, base64url-encoded. */
export function encodeCursor(key: string): string {
  return btoa(key).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  try {
    const key = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    if (/^[\x21-\x7e]{1,120}$/.test(key)) return key;
  } catch {
    // falls through to the error below
  }
  throw new AppError("validation", "cursor is not valid", [
    { path: "cursor", message: "is not valid" },
  ]);
}

/**
 * Turns `limit + 1` rows fetched in key order into a page: the extra row only says there is more.
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => string,
  map: (row: Row) => Item,
): Page<Item> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
