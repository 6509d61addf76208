import { CallContext, type Result } from "@flock/contracts";
import { createDb, type Db } from "./db";
import { toResult } from "./errors";
import { interceptD1 } from "./intercept";
import { parseInput } from "./validation";

/**
 * One RPC method of a service, as every service runs it: check the call context, open the service's
 * database, run the operation and report its outcome as a Result. With a D1_METER var (set only by
 * the benchmark) it also logs how many D1 round trips the call made.
 */
export function serve<T>(options: {
  service: string;
  method?: string;
  env: { DB: D1Database };
  ctx: CallContext;
  run: (db: Db, call: CallContext) => Promise<T>;
}): Promise<Result<T>> {
  const requestId = options.ctx?.requestId ?? "unknown";
  return toResult(requestId, async () => {
    const call = parseInput(CallContext, options.ctx);
    if (!(options.env as { D1_METER?: unknown }).D1_METER)
      return options.run(createDb(options.env.DB), call);
    let roundTrips = 0;
    const metered = interceptD1(options.env.DB, () => {
      roundTrips += 1;
    });
    try {
      return await options.run(createDb(metered), call);
    } finally {
      console.log(
        JSON.stringify({
          metric: "d1_round_trips",
          service: options.service,
          method: options.method,
          requestId,
          roundTrips,
        }),
      );
    }
  });
}
