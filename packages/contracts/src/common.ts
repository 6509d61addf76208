import { z } from "zod";

/** A time-sortable identifier (ULID, 26 Crockford base32 characters). */
export const Id = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "must be a valid id");
export type Id = z.infer<typeof Id>;

/** A user handle: 3 to 30 letters, digits or underscores, compared case-insensitively. */
export const Handle = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_]{3,30}$/, "must be 3 to 30 letters, digits or underscores")
  .transform((handle) => handle.toLowerCase());
export type Handle = z.infer<typeof Handle>;

export const Timestamp = z.iso.datetime();

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

/** A path's `{id}`: any short string, so an id of the wrong shape is not found like any other. */
export const IdParam = z.object({ id: z.string().min(1).max(64) });

/**
 * The schema or null. Written as a union rather than `.nullable()`, which @hono/zod-openapi's
 * generator turns into a reference that cannot be null when the schema has an id
 * (asteasolutions/zod-to-openapi#248).
 */
export function orNull<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.null()]);
}

/** One page of a list, newest first unless a route says otherwise. */
export function Page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
export type Page<T> = { items: T[]; nextCursor: string | null };

/** What a composed answer lists when a service it needed was down and that part is left out. */
export const Missing = z
  .array(z.string())
  .describe("Parts left out because the service that has them is unavailable");

/** What an account may do beyond a member's: a moderator works the report queue and suspends accounts. */
export const Role = z.enum(["member", "moderator"]).meta({ id: "Role" });
export type Role = z.infer<typeof Role>;

/**
 * What the users service vouches for about a signed-in account at each session check, and the
 * gateway passes on in every call it makes for that account (it may be up to a minute old).
 */
export const Standing = z.object({
  role: Role,
  /** When the account was registered: reports from accounts younger than a day do not hide anything. */
  createdAt: Timestamp,
  suspended: z.boolean(),
});
export type Standing = z.infer<typeof Standing>;

/**
 * A D1 bookmark: the state of one database at a point in time (`0000007b-0000b26e-00001538-<hash>`).
 * Bookmarks of one database compare as strings: the later one is the newer state (see
 * docs/decisions/0015-global-reads.md).
 */
export const Bookmark = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{1,64}$/);
export type Bookmark = z.infer<typeof Bookmark>;

/** The bookmarks a caller has seen, by the service whose database each is of. */
export const Bookmarks = z.partialRecord(
  z.enum(["users", "posts", "comments", "notifications", "media", "search"]),
  Bookmark,
);
export type Bookmarks = z.infer<typeof Bookmarks>;

/**
 * A W3C Trace Context traceparent: version 00, a 32-hex trace id, the 16-hex id of the span that
 * made the call or the event, and the flags (docs/OPERATIONS.md "Traces").
 */
export const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * What every RPC call carries: who acts (already authenticated by the gateway), the request id, the
 * deadline and the caller's span.
 */
export const CallContext = z.object({
  requestId: z.string(),
  actorId: Id.nullable(),
  /** The session the actor's token names (see UsersRpc.checkSession); absent for a signed-out caller. */
  sessionId: Id.optional(),
  /** The actor's role, age and suspension as the users service last vouched for them; absent signed out. */
  standing: Standing.optional(),
  /**
   * When the caller stops waiting (epoch milliseconds). A service gives up on its own calls to other
   * workers before then, so that it answers, or fails, while its caller still listens.
   */
  deadline: z.number().int().positive().optional(),
  /**
   * The newest state of each service's database the caller has seen (its own writes among them): a
   * service reads its database at least that fresh, and anywhere (a replica) when it has none.
   */
  bookmarks: Bookmarks.optional(),
  /** The caller's span: the work this call does is its child. One that is not valid is dropped. */
  traceparent: z.string().regex(TRACEPARENT).optional().catch(undefined),
});
export type CallContext = z.infer<typeof CallContext>;

/** Mentions are `@handle` tokens in user-written text. */
export function extractMentions(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{3,30})\b/g)) {
    if (match[1]) found.add(match[1].toLowerCase());
  }
  return [...found];
}

/** The most distinct accounts one post or comment may mention: each mention notifies someone. */
export const MENTION_LIMIT = 50;

/** A user-written text that mentions at most MENTION_LIMIT distinct accounts (a 422 beyond). */
export function mentionLimited<Schema extends z.ZodType<string>>(schema: Schema) {
  return schema.refine((text) => extractMentions(text).length <= MENTION_LIMIT, {
    message: `must mention at most ${MENTION_LIMIT} accounts`,
  });
}

/** A service's state as GET /v1/health reports it: `down` when it or its database does not answer. */
export const HealthStatus = z.enum(["ok", "degraded", "down"]).meta({ id: "HealthStatus" });
export type HealthStatus = z.infer<typeof HealthStatus>;

const Count = z.number().int().min(0);
const AgeMs = z.number().int().min(0).nullable();

/** The figures behind a service's status, for moderators and operators (docs/OPERATIONS.md). */
export const HealthDetails = z
  .object({
    unsentEvents: Count.meta({ description: "Outbox rows not yet sent to a queue" }),
    oldestUnsentAgeMs: AgeMs.meta({
      description: "Age of the oldest unsent outbox row in milliseconds; null when none is unsent",
    }),
    deadLetters: Count.meta({ description: "Messages kept in the service's dead_letters table" }),
    oldestUnprocessedAgeMs: AgeMs.meta({
      description:
        "Age of the oldest inbox message that failed and is neither applied nor dead-lettered yet, " +
        "in milliseconds since it was enqueued; null when none is waiting",
    }),
  })
  .meta({ id: "HealthDetails" });
export type HealthDetails = z.infer<typeof HealthDetails>;

/**
 * What each service's `health()` RPC answers: facts, which the gateway judges against its
 * thresholds. `database` is `none` for a service without one (live); `details` come with `ok`.
 */
export const Health = z.object({
  service: z.string().max(30),
  database: z.enum(["ok", "down", "none"]),
  details: HealthDetails.optional(),
});
export type Health = z.infer<typeof Health>;

/** One service in GET /v1/health; `details` only for a moderator's token or the operator token. */
export const ServiceHealth = z
  .object({ service: z.string(), status: HealthStatus, details: HealthDetails.optional() })
  .meta({ id: "ServiceHealth" });
export type ServiceHealth = z.infer<typeof ServiceHealth>;

/** GET /v1/health: the worst of the services' states, and each one's. */
export const HealthReport = z
  .object({ status: HealthStatus, services: z.array(ServiceHealth) })
  .meta({ id: "HealthReport" });
export type HealthReport = z.infer<typeof HealthReport>;
