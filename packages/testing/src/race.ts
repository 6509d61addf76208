import type { Db } from "@flock/kit";

/**
 * A scope whose write batch waits for `open`, once it has made its event: two requests whose
 * events are made in one order and committed in the other, as isolates racing can do.
 */
export function heldAtCommit<S extends { db: Db }>(
  scope: S,
  open: Promise<void>,
): { scope: S; reached: Promise<void> } {
  let reach = () => {};
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  const db = new Proxy(scope.db, {
    get(target, property) {
      if (property === "batch")
        return async (...args: Parameters<Db["batch"]>) => {
          reach();
          await open;
          return target.batch(...args);
        };
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { scope: { ...scope, db }, reached };
}

/** A gate for heldAtCommit: `open` stays pending until `release()` is called. */
export function gate(): { open: Promise<void>; release: () => void } {
  let release = () => {};
  const open = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { open, release };
}
