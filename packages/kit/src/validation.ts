import type { FieldError } from "@flock/contracts";
import type { z } from "zod";
import { AppError } from "./errors";

/** zod issues as the `errors` list of a problem: one entry per field, with a readable path. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join(".") : "(body)",
    message: issue.message,
  }));
}

/** Parses input at a service boundary; invalid input becomes a `validation` AppError, never a raw zod error. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new AppError(
      "validation",
      "Some fields are not valid.",
      fieldErrors(parsed.error.issues),
    );
  return parsed.data;
}
