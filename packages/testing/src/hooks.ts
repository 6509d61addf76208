// Test hooks enter through test entry modules (workers/*/test/entry.ts), which re-export a real
// worker with its env wrapped: fault injection when the env has a FAULTS plan, a note of each mail
// sent, and a count of D1 round trips per RPC call when it has a D1_METER var. Test runners start
// those entries in place of the real ones (scripts/test-flock.ts); the real entries know nothing of
// them, so no deployed bundle does.
import type { CallContext } from "@flock/contracts";
import { retryDelay } from "@flock/kit";
import { type BindingKinds, type Faults, faultsOf, withFaults } from "./faults";
import { interceptD1 } from "./intercept";
import { withRecordedMail } from "./mail";
import { laggingD1, replicaPlanOf } from "./replica";

/** Round trips so far, and how many there were when the call's answer went out (its waitUntil). */
type Meter = { roundTrips: number; answered: number | null };

/** The meter of each metered env, which the entrypoint's methods read their round trips from. */
const meters = new WeakMap<object, Meter>();

/**
 * The env with its DB read through a lagging copy (./replica.ts) when it has a REPLICA plan and the
 * DB_REPLICA database that scripts/test-flock.ts adds with it.
 */
function withReplica<E extends object>(env: E): E {
  const plan = replicaPlanOf(env);
  const { DB, DB_REPLICA } = env as { DB?: D1Database; DB_REPLICA?: D1Database };
  if (!plan || !DB || !DB_REPLICA) return env;
  return { ...env, DB: laggingD1("DB", DB, DB_REPLICA, plan) };
}

/**
 * A worker's env as its tests run it: with the faults of its plan, its mail noted (see ./mail.ts),
 * its reads served by a lagging replica when it has a REPLICA plan and, if asked for, a D1 meter.
 */
export function testEnv<E extends object>(env: E, bindings: BindingKinds): E {
  const faulty = withReplica(withRecordedMail(withFaults(env, bindings), bindings));
  const db = (faulty as { DB?: D1Database }).DB;
  if (!(env as { D1_METER?: unknown }).D1_METER || !db) return faulty;
  const meter: Meter = { roundTrips: 0, answered: null };
  const metered = {
    ...faulty,
    DB: interceptD1(db, () => {
      meter.roundTrips += 1;
    }),
  };
  meters.set(metered, meter);
  return metered;
}

type Entrypoint<E> = new (ctx: ExecutionContext, env: E) => object;

/**
 * An execution context that notes the round trips made when work is first handed to waitUntil: what
 * follows (the outbox relay after a write) runs once the answer is on its way, so it is not counted.
 */
function metered(ctx: ExecutionContext, meter: Meter): ExecutionContext {
  return new Proxy(ctx, {
    get(target, property) {
      if (property === "waitUntil") {
        return (promise: Promise<unknown>) => {
          meter.answered ??= meter.roundTrips;
          target.waitUntil(promise);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A service's WorkerEntrypoint as its tests run it: the real class, constructed with testEnv. With a
 * D1 meter, each RPC method logs the D1 round trips it made before answering
 * (`{"metric":"d1_round_trips", ...}`), which the benchmark reads back.
 */
export function testEntrypoint<E extends object>(
  Real: Entrypoint<E>,
  options: { service: string; bindings: BindingKinds },
): Entrypoint<E> {
  class Tested extends Real {
    constructor(ctx: ExecutionContext, env: E) {
      const tested = testEnv(env, options.bindings);
      const meter = meters.get(tested);
      super(meter ? metered(ctx, meter) : ctx, tested);
    }
  }
  for (const method of Object.getOwnPropertyNames(Real.prototype)) {
    const real: unknown = Reflect.get(Real.prototype, method);
    if (method === "constructor" || typeof real !== "function") continue;
    Object.defineProperty(Tested.prototype, method, {
      async value(this: object, ...args: unknown[]) {
        // The env is the entrypoint's protected field, as the real class was given it.
        const meter = meters.get(Reflect.get(this, "env") as object);
        if (!meter) return Reflect.apply(real, this, args);
        const before = meter.roundTrips;
        meter.answered = null;
        try {
          return await Reflect.apply(real, this, args);
        } finally {
          const ctx = args[0] as Partial<CallContext> | undefined;
          console.log(
            JSON.stringify({
              metric: "d1_round_trips",
              service: options.service,
              method,
              requestId: ctx?.requestId ?? "unknown",
              roundTrips: (meter.answered ?? meter.roundTrips) - before,
            }),
          );
        }
      },
    });
  }
  return Tested;
}

/** A message whose retries wait the plan's delay instead of the production backoff. */
function fastRetry(message: Message, delaySeconds: number): Message {
  return new Proxy(message, {
    get(target, property) {
      if (property === "retry")
        return (options?: QueueRetryOptions) => target.retry({ ...options, delaySeconds });
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * The batch an inbox consumer under faults is handed: the messages the plan fails are retried here,
 * as a consumer that threw would retry them, and the real consumer gets the rest.
 */
function survivors(batch: MessageBatch, { plan, chance }: Faults): MessageBatch {
  const kept: Message[] = [];
  for (const message of batch.messages) {
    const delaySeconds = plan.retryDelaySeconds ?? retryDelay(message.attempts);
    if (!batch.queue.endsWith("-dlq") && chance(plan.consumerFailure)) {
      console.error(
        JSON.stringify({
          level: "warn",
          message: "injected consumer failure",
          queue: batch.queue,
          messageId: message.id,
        }),
      );
      message.retry({ delaySeconds });
    } else {
      kept.push(plan.retryDelaySeconds === undefined ? message : fastRetry(message, delaySeconds));
    }
  }
  return new Proxy(batch, {
    get(target, property) {
      if (property === "messages") return kept;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A worker's default export as its tests run it: each handler gets testEnv in place of its env. */
export function testHandler<E extends object>(
  real: ExportedHandler<E>,
  bindings: BindingKinds,
): ExportedHandler<E> {
  const fetch = real.fetch?.bind(real);
  const queue = real.queue?.bind(real);
  const scheduled = real.scheduled?.bind(real);
  return {
    ...(fetch && {
      fetch: (request, env, ctx) => fetch(request, testEnv(env, bindings), ctx),
    }),
    ...(queue && {
      queue(batch, env, ctx) {
        const faults = faultsOf(env);
        return queue(faults ? survivors(batch, faults) : batch, testEnv(env, bindings), ctx);
      },
    }),
    ...(scheduled && {
      scheduled: (controller, env, ctx) => scheduled(controller, testEnv(env, bindings), ctx),
    }),
  };
}
