import { createStore } from "./store";

export type Toast = { id: number; kind: "info" | "error"; text: string };

export const toasts = createStore<Toast[]>([]);
let nextId = 1;

/** Shows a short message; errors are announced at once (role=alert), others politely. */
export function notify(text: string, kind: Toast["kind"] = "info"): void {
  const id = nextId++;
  toasts.set((list) => [...list.slice(-2), { id, kind, text }]);
  setTimeout(() => dismiss(id), kind === "error" ? 8000 : 5000);
}

export function dismiss(id: number): void {
  toasts.set((list) => list.filter((toast) => toast.id !== id));
}
