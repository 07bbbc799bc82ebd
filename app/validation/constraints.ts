import { getZodConstraint } from "@conform-to/zod/v4";
import { z } from "zod";

type Constraint = ReturnType<typeof getZodConstraint>[string];

/**
 * Conform's constraints for a form's fields, with the ranges and length limits of the schema's numbers
 * and texts added: Conform's own reading of zod 4 leaves min, max, minLength and maxLength out, so inputs
 * had no limit in the browser (without JS an oversized value only came back as the server's refusal).
 * A piped text (`z.string().max(254).pipe(z.email())`) carries the limits of the text it starts as.
 */
export function formConstraint(schema: z.ZodObject): Record<string, Constraint> {
  const constraint: Record<string, Constraint> = { ...getZodConstraint(schema) };
  for (const [name, field] of Object.entries(schema.shape)) {
    let inner: unknown = field;
    while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodPipe)
      inner = inner instanceof z.ZodPipe ? inner.in : inner.unwrap();
    if (inner instanceof z.ZodNumber) {
      constraint[name] = {
        ...constraint[name],
        ...(Number.isFinite(inner.minValue) ? { min: inner.minValue! } : {}),
        ...(Number.isFinite(inner.maxValue) ? { max: inner.maxValue! } : {}),
      };
    } else if (inner instanceof z.ZodString) {
      constraint[name] = {
        ...constraint[name],
        ...(inner.minLength !== null && inner.minLength > 0 ? { minLength: inner.minLength } : {}),
        ...(inner.maxLength !== null ? { maxLength: inner.maxLength } : {}),
      };
    }
  }
  return constraint;
}
