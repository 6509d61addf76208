import type { CallContext } from "@flock/contracts";
import type { Db } from "@flock/kit";

/** What every media operation works with: its database, its bucket and the call it serves. */
export type Scope = { db: Db; bucket: R2Bucket; ctx: CallContext };

export { actor } from "@flock/kit";
