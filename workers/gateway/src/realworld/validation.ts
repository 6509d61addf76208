import { MAX_COUNTED } from "@flock/contracts";
import { parseInput } from "@flock/kit";
import { validator } from "hono/validator";
import { z } from "zod";

/** The most items one RealWorld list answers; a larger `limit` gets this many, not an error. */
export const MAX_LIMIT = 100;

const blank = "can't be blank";

/** Text a request must give: missing, null, empty or only spaces is RealWorld's "can't be blank". */
const Required = z
  .string({ error: (issue) => (issue.input == null ? blank : "must be a string") })
  .trim()
  .min(1, blank);

/** A secret is taken as typed: spaces count, and nothing is trimmed. */
const RequiredSecret = z
  .string({ error: (issue) => (issue.input == null ? blank : "must be a string") })
  .min(1, blank);

/** A field an update may leave out, but may not clear: null or blank is "can't be blank". */
const Changed = Required.optional();

/** A field that may be cleared: null, or an empty string, which RealWorld treats as null. */
const Clearable = z
  .string({ error: "must be a string or null" })
  .trim()
  .nullable()
  .optional()
  .transform((value) => (value === "" ? null : value));

/** `{user: {...}}`, `{article: {...}}`: the RealWorld body wraps its object in one named field. */
function wrapped<K extends string, T extends z.ZodRawShape>(key: K, shape: T) {
  const inner = z.object(shape, {
    error: (issue) => (issue.input == null ? blank : "must be an object"),
  });
  return z.object({ [key]: inner } as { [P in K]: typeof inner }, {
    error: `must be a JSON object with a "${key}" field`,
  });
}

export const RegisterBody = wrapped("user", {
  username: Required,
  email: Required,
  password: RequiredSecret,
});

export const LoginBody = wrapped("user", { email: Required, password: RequiredSecret });

export const UpdateUserBody = wrapped("user", {
  username: Changed,
  email: Changed,
  password: RequiredSecret.optional(),
  bio: Clearable,
  image: Clearable,
});

const TagList = z.array(z.string({ error: "must be a string" }), {
  error: "must be a list of strings",
});

export const NewArticleBody = wrapped("article", {
  title: Required,
  description: Required,
  body: Required,
  tagList: TagList.optional(),
});

export const UpdateArticleBody = wrapped("article", {
  title: Changed,
  description: Changed,
  body: Changed,
  tagList: TagList.optional(),
});

export const NewCommentBody = wrapped("comment", { body: Required });

const Tag = z.string({ error: "must be given once" }).trim().max(100).optional();
const Username = z
  .string({ error: "must be given once" })
  .trim()
  .max(64, "must be at most 64 characters")
  .optional();

export const PageQuery = z.object({
  limit: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .transform((limit) => Math.min(limit, MAX_LIMIT))
    .default(20),
  offset: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(0, "must not be negative")
    .max(MAX_COUNTED, `must be at most ${MAX_COUNTED}`)
    .default(0),
});

export const ArticlesQuery = PageQuery.extend({ tag: Tag, author: Username, favorited: Username });

/**
 * Validates a JSON body; a failure is a 422 in the RealWorld envelope, one entry per field (named
 * as RealWorld names it: see envelope).
 */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return validator("json", (value): z.output<T> => parseInput(schema, value));
}

/** Validates the query string the same way. */
export function queryOf<T extends z.ZodType>(schema: T) {
  return validator("query", (value): z.output<T> => parseInput(schema, value));
}
