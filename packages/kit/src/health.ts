import type { Health } from "@flock/contracts";

/** A service's answer to the gateway's health check: whether its database answers. */
export async function checkHealth(service: string, d1: D1Database): Promise<Health> {
  try {
    await d1.prepare("SELECT 1").first();
    return { service, ok: true };
  } catch (error) {
    return { service, ok: false, detail: String(error) };
  }
}
