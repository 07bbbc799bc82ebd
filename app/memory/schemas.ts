import { z } from "zod";
import { numberMessage } from "~/validation/typed-number";
import { withoutNul } from "~/validation/text";
import { MEMORY_KEY_MAX, normaliseMemoryKey, storedMemoryKey } from "./keys";

export const FACT_KINDS = ["identity", "professional", "personal", "context"] as const;
export const SELF_CATEGORIES = ["identity", "milestone", "observation", "preference", "relationship"] as const;

export { MEMORY_KEY_MAX };

const memoryKey = withoutNul(
  z
    .string({ error: "Name it (e.g. employer)." })
    .trim()
    .min(1, "Name it (e.g. employer).")
    .max(MEMORY_KEY_MAX, "Use at most 80 characters.")
    // Only invisible marks (a bidi mark pasted alone) name nothing once the key takes its form (keys.ts).
    // Any other key is taken as it comes, symbols too: a suggested or stored key is never refused.
    .refine((key) => normaliseMemoryKey(key) !== "", "Name it (e.g. employer).")
    // The limit holds for the key as stored, which lower case and NFC can lengthen (İ is i + U+0307): a
    // stored key, typed back into an edit, then always passes.
    .refine(
      (key) => normaliseMemoryKey(key).length <= MEMORY_KEY_MAX,
      "Use a shorter name: stored, it is over 80 characters.",
    ),
);
const memoryValue = withoutNul(
  z
    .string({ error: "Enter what to remember." })
    .trim()
    .min(1, "Enter what to remember.")
    .max(1000, "Use at most 1,000 characters."),
);
const id = withoutNul(z.string().min(1).max(100));

/** "Replace it": the person chose to replace the memory that has the key they typed. */
const replace = z.boolean().optional();

export const memoryIntent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("add-fact"), kind: z.enum(FACT_KINDS), key: memoryKey, value: memoryValue, replace }),
  z.object({
    intent: z.literal("edit-fact"),
    id,
    kind: z.enum(FACT_KINDS),
    key: memoryKey,
    value: memoryValue,
    replace,
  }),
  z.object({ intent: z.literal("delete-fact"), id }),
  z.object({ intent: z.literal("add-preference"), key: memoryKey, value: memoryValue, replace }),
  z.object({ intent: z.literal("edit-preference"), id, key: memoryKey, value: memoryValue, replace }),
  z.object({ intent: z.literal("delete-preference"), id }),
  z.object({ intent: z.literal("accept"), id }),
  z.object({
    intent: z.literal("accept-edited"),
    id,
    kind: z.enum(FACT_KINDS).optional(),
    key: memoryKey,
    value: memoryValue,
  }),
  z.object({ intent: z.literal("reject"), id }),
  z.object({
    intent: z.literal("forget"),
    confirm: z.literal("forget everything", { error: 'Type "forget everything" to confirm.' }),
  }),
]);

/** The instance-wide memory settings form; its ranges also give the inputs their min/max. */
export const instanceSettingsSchema = z.object({
  intent: z.literal("instance"),
  memoryEnabled: z.boolean().optional(),
  // Every check names its range: one left without a message took the type's "Enter a number." for -1.
  // numberMessage names a thousands separator ("1,000", and "1.000" in a whole-number field).
  relevantSummaries: z
    .number({ error: numberMessage("Enter a number.", { whole: true, min: 0, max: 20 }) })
    .int("Use a whole number.")
    .min(0, "Use 0 to 20.")
    .max(20, "Use 0 to 20."),
  extractionInputTokens: z
    .number({ error: numberMessage("Enter a number.", { whole: true, min: 200, max: 100_000 }) })
    .int("Use a whole number.")
    .min(200, "Use 200 to 100000.")
    .max(100_000, "Use 200 to 100000."),
  summaryIdleMinutes: z
    .number({ error: numberMessage("Enter a number.", { whole: true, min: 1, max: 10_080 }) })
    .int("Use a whole number.")
    .min(1, "Use 1 to 10080 minutes (a week).")
    .max(10_080, "Use 1 to 10080 minutes (a week)."),
  autoAcceptMinConfidence: z
    .number({ error: numberMessage("Enter a number.") })
    .min(0, "Use 0 to 1.")
    .max(1, "Use 0 to 1."),
  autoAcceptMinImportance: z
    .number({ error: numberMessage("Enter a number.", { whole: true, min: 1, max: 10 }) })
    .int("Use a whole number.")
    .min(1, "Use 1 to 10.")
    .max(10, "Use 1 to 10."),
});

export const selfMemoryIntent = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("save"),
      category: z.enum(SELF_CATEGORIES),
      key: memoryKey,
      value: memoryValue,
      importance: z
        .number({ error: numberMessage("Enter 1 to 10.", { whole: true, min: 1, max: 10 }) })
        .int("Use a whole number.")
        .min(1, "Use 1 to 10.")
        .max(10, "Use 1 to 10."),
    }),
    z.object({ intent: z.literal("delete"), id }),
    instanceSettingsSchema,
  ],
  // Only a hand-made request lacks the hidden intent; the validator's own text named its internals.
  { error: "Choose what to do: this form was not sent by ARES's page." },
);

export const memorySettingsSchema = z.object({
  intent: z.literal("memory"),
  memoryEnabled: z.boolean().optional(),
  memoryAutoAccept: z.boolean().optional(),
});

/** `text` cut to at most `max` characters, at a word break when one is near, marked with an ellipsis. */
export function clipText(text: string, max: number): string {
  const characters = Array.from(text);
  if (characters.length <= max) return text;
  const cut = characters.slice(0, max - 1).join("");
  // The last word is whole when a space follows it; else it is left out, when that loses little.
  const wordBreak = /\s/.test(characters[max - 1] ?? "") ? cut.length : cut.search(/\s\S*$/);
  return `${(wordBreak >= max / 2 ? cut.slice(0, wordBreak) : cut).trimEnd()}…`;
}

/**
 * A list of short labels from the model: an over-long one is clipped and extra ones are left off, rather
 * than the whole summary dropped for a topic a few words too long.
 */
const clippedList = (maxLength: number, maxItems: number) =>
  z
    .array(
      z
        .string()
        .trim()
        .min(1)
        .transform((text) => clipText(text, maxLength)),
    )
    .transform((items) => items.slice(0, maxItems));

/** What the extraction request must answer (strict: anything else is dropped and logged). */
export const extractionSchema = z
  .object({
    summary: z.string().trim().min(1).max(4000),
    topics: clippedList(80, 20),
    keyFacts: clippedList(300, 30),
    candidates: z
      .array(
        z
          .object({
            type: z.enum(["fact", "preference"]),
            kind: z.enum(FACT_KINDS).optional(),
            // Checked in its stored form (keys.ts), not as the model wrote it: spaces and symbols it drops
            // do not count, and a key made longer by lower case (İ) cannot slip past. One still over the
            // limit is cut at a word break rather than the whole answer refused; one that names nothing
            // (only invisible marks) is dropped when filed (proposals.server.ts).
            key: z.string().trim().min(1).transform(storedMemoryKey).pipe(z.string().max(MEMORY_KEY_MAX)),
            value: z.string().trim().min(1).max(1000),
            confidence: z.number().min(0).max(1),
            importance: z.number().int().min(1).max(10),
            /** Index of the message (as numbered in the request) it came from. */
            message: z.number().int().min(0),
          })
          .strict(),
      )
      .max(50),
  })
  .strict();
export type Extraction = z.infer<typeof extractionSchema>;
