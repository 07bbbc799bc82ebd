import type { z } from "zod";
// Plain English for every check without its own message, wherever a schema is used.
import "./messages";

export const NUL_MESSAGE = "Remove the NUL character (\\0): it cannot be stored.";

/** PostgreSQL text cannot hold U+0000; a value containing it would fail in the database, not here. */
export function withoutNul(schema: z.ZodString): z.ZodString {
  return schema.refine((value) => !value.includes("\u0000"), NUL_MESSAGE);
}

/**
 * Browsers send a textarea's line breaks as CRLF, two characters each: made LF before any length check,
 * so text a box with `maxlength` accepted is accepted here too, and stored as JS clients send it.
 * Apply before `.trim()`, `.min()` and `.max()`.
 */
export function lineBreaksAsLf(schema: z.ZodString): z.ZodString {
  return schema.overwrite((value) => value.replace(/\r\n?/g, "\n"));
}
