import type { CallContext } from "@flock/contracts";
import type { Db } from "@flock/kit";

/** What every users operation works with: its database and the call it serves. */
export type Scope = { db: Db; ctx: CallContext };

export { actor } from "@flock/kit";
