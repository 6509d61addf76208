import { useEffect, useReducer } from "preact/hooks";

/** A value that components can watch: the app's few pieces of global state (session, location, toasts). */
export type Store<T> = {
  get(): T;
  set(next: T | ((current: T) => T)): void;
  subscribe(listener: () => void): () => void;
};

export function createStore<T>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(next) {
      state = typeof next === "function" ? (next as (current: T) => T)(state) : next;
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Re-renders the component whenever the store changes. */
export function useStore<T>(store: Store<T>): T {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const value = store.get();
  useEffect(() => {
    const rerender = () => bump(0);
    const unsubscribe = store.subscribe(rerender);
    // A change between this render and the subscription would otherwise be missed.
    if (store.get() !== value) rerender();
    return unsubscribe;
  }, [store]);
  return value;
}
