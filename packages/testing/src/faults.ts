// Fault injection for the fault runs and the system tests. It lives only in test code: the test entry
// of each worker (workers/*/test/entry.ts, see ./hooks.ts) wraps the real worker's env with it, and no
// deployed bundle contains it (tests/system/bundles.test.ts checks). Seeded: the same plan and the
// same requests inject the same faults, so a failing run can be replayed.
import { z } from "zod";
import { interceptD1 } from "./intercept";

export const FaultPlan = z.object({
  seed: z.number().int(),
  /** Share of queue sends that fail (the outbox keeps the event for the cron relay). */
  queueSendFailure: z.number().min(0).max(1).default(0),
  /** Every queue message is sent twice. */
  duplicateDelivery: z.boolean().default(false),
  /** Share of inbox messages whose handling fails before it is applied. */
  consumerFailure: z.number().min(0).max(1).default(0),
  /** Statements whose SQL contains `match` fail this share of the time. */
  d1Failure: z.object({ match: z.string(), rate: z.number().min(0).max(1) }).optional(),
  /** A service binding that fails this share of calls, or answers only after `stallMs`. */
  serviceFailure: z
    .object({
      binding: z.string(),
      rate: z.number().min(0).max(1),
      stallMs: z.number().int().min(0).default(0),
    })
    .optional(),
  /** Share of mails whose send fails (the users service tries twice more, then logs the loss). */
  mailFailure: z.number().min(0).max(1).default(0),
  /** Seconds before a failed inbox message is retried, instead of the production backoff. */
  retryDelaySeconds: z.number().int().min(0).optional(),
});
export type FaultPlan = z.infer<typeof FaultPlan>;

/** The kind of each binding, as a worker's bindings.ts lists it. */
export type BindingKinds = Record<
  string,
  "d1" | "queue" | "service" | "var" | "secret" | (string & {})
>;

export class InjectedFault extends Error {
  constructor(what: string) {
    super(`injected fault: ${what}`);
    this.name = "InjectedFault";
  }
}

/**
 * An injected D1 failure reads as the platform's own transient one ("D1_ERROR: Network connection
 * lost"), so the service under test classifies it as it would a real outage: a 503, never a 500.
 */
function d1Outage(what: string): InjectedFault {
  const fault = new InjectedFault(what);
  fault.message = `D1_ERROR: Network connection lost (${fault.message})`;
  return fault;
}

/** A seeded stream of chances (mulberry32), one per worker and plan. */
export function chances(seed: number) {
  let state = seed >>> 0;
  return (rate: number) => {
    if (rate <= 0) return false;
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 < rate;
  };
}

export type Faults = { plan: FaultPlan; chance: (rate: number) => boolean };

const plans = new WeakMap<object, Faults | null>();

/** The fault plan of an env (its FAULTS var), parsed once, or null when faults are off. */
export function faultsOf(env: object): Faults | null {
  const known = plans.get(env);
  if (known !== undefined) return known;
  const raw = (env as { FAULTS?: unknown }).FAULTS;
  const parsed = typeof raw === "string" && raw !== "" ? FaultPlan.parse(JSON.parse(raw)) : null;
  const faults = parsed ? { plan: parsed, chance: chances(parsed.seed) } : null;
  plans.set(env, faults);
  return faults;
}

function faultyQueue(queue: Queue, { plan, chance }: Faults): Queue {
  const copies = plan.duplicateDelivery ? 2 : 1;
  return new Proxy(queue, {
    get(target, property) {
      if (property === "send") {
        return async (body: unknown, options?: QueueSendOptions) => {
          if (chance(plan.queueSendFailure)) throw new InjectedFault("queue send");
          for (let i = 0; i < copies; i++) await target.send(body, options);
        };
      }
      if (property === "sendBatch") {
        return async (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) => {
          if (chance(plan.queueSendFailure)) throw new InjectedFault("queue sendBatch");
          const all = [...messages];
          for (let i = 0; i < copies; i++) await target.sendBatch(all, options);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function faultyD1(
  d1: D1Database,
  rule: { match: string; rate: number },
  chance: (rate: number) => boolean,
): D1Database {
  return interceptD1(d1, (statements) => {
    for (const sql of statements) {
      if (sql.includes(rule.match) && chance(rule.rate))
        throw d1Outage(`D1 statement matching "${rule.match}"`);
    }
  });
}

function faultyService<T extends object>(
  service: T,
  rule: { rate: number; stallMs: number },
  chance: (rate: number) => boolean,
): T {
  return new Proxy(service, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        if (chance(rule.rate)) {
          if (rule.stallMs === 0) throw new InjectedFault(`service ${String(property)}`);
          await new Promise((resolve) => setTimeout(resolve, rule.stallMs));
        }
        // Reflect.apply, not value.apply: on an RPC stub, "apply" would be taken for a remote method.
        return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
      };
    },
  });
}

function faultyMail(
  binding: SendEmail,
  rate: number,
  chance: (rate: number) => boolean,
): SendEmail {
  return new Proxy(binding, {
    get(target, property) {
      if (property === "send")
        return async (message: EmailMessageBuilder) => {
          if (chance(rate)) throw new InjectedFault("mail send");
          return target.send(message);
        };
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * The env a worker under test should use: itself when faults are off; otherwise a copy whose queues,
 * D1 databases, named service binding and mail misbehave as the plan says. Which binding is which
 * comes from the worker's own list (an RPC stub answers to any property name, so shapes cannot tell).
 */
export function withFaults<E extends object>(env: E, kinds: BindingKinds): E {
  const faults = faultsOf(env);
  if (!faults) return env;
  const { plan, chance } = faults;
  const faulty: Record<string, unknown> = { ...(env as Record<string, unknown>) };
  for (const [name, kind] of Object.entries(kinds)) {
    const value = faulty[name];
    if (typeof value !== "object" || value === null) continue;
    if (kind === "queue") faulty[name] = faultyQueue(value as Queue, faults);
    else if (kind === "d1" && plan.d1Failure)
      faulty[name] = faultyD1(value as D1Database, plan.d1Failure, chance);
    else if (kind === "service" && plan.serviceFailure?.binding === name)
      faulty[name] = faultyService(value, plan.serviceFailure, chance);
    else if (kind === "send_email" && plan.mailFailure > 0)
      faulty[name] = faultyMail(value as SendEmail, plan.mailFailure, chance);
  }
  plans.set(faulty, faults);
  return faulty as E;
}
