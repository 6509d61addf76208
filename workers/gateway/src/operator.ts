// The operator token: how an operator's monitoring, with no account, reads what moderators read of
// flock's health and figures (docs/OPERATIONS.md, docs/SECURITY.md).
import type { Env } from "./env";

/** The header an operator's monitoring sends the OPERATOR_TOKEN secret in. */
export const OPERATOR_HEADER = "Flock-Operator-Token";

/** Shorter operator tokens are ignored: a guessable one would open the figures to anyone. */
const MIN_OPERATOR_TOKEN = 32;

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

/**
 * Whether a request presents the operator token. Both sides are hashed first, so the comparison
 * takes the same time whatever the length or the first differing byte of what was sent.
 */
export async function presentsOperatorToken(
  env: Pick<Env, "OPERATOR_TOKEN">,
  presented: string | undefined,
): Promise<boolean> {
  const expected = env.OPERATOR_TOKEN ?? "";
  if (expected.length < MIN_OPERATOR_TOKEN || !presented) return false;
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}
