import type { CallContext } from "@flock/contracts";
import type { Db } from "@flock/kit";

/** What every search operation works with: its database and the call it serves. */
export type Scope = { db: Db; ctx: CallContext };
