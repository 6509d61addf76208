import type { CallContext } from "@flock/contracts";
import type { Db } from "@flock/kit";
import type { Mailer } from "./mail";

/** What every users operation works with: its database, the call it serves, and its mailer. */
export type Scope = { db: Db; ctx: CallContext; mailer: Mailer };

export { actor } from "@flock/kit";
