import { z } from "zod";
import { numberMessage } from "~/validation/typed-number";
import { lineBreaksAsLf, withoutNul } from "~/validation/text";

export const MESSAGE_MAX = 32_000;

/** The field of a reply version button (‹ ›), which submits the message box's form: the version to show. */
export const VERSION_FIELD = "version";

/** The field of a page link's no-JS button (KeepTextLink), which submits the box's form: where to go. */
export const KEEP_TO_FIELD = "keepTo";

/**
 * The field of an edit's Save (JS) that carries the message box's text along (the edit box is `message`):
 * a conversation gone meanwhile shows both (ADR 015).
 */
export const BOX_TEXT_FIELD = "boxMessage";

/**
 * The field of each of the two forms of that 404 (an edit's text and the box's): the other form's text,
 * kept for the new conversation's box when one is sent, so neither is lost (ADR 015).
 */
export const OTHER_TEXT_FIELD = "otherText";

/**
 * A missing field (a form left empty, a JSON key left out) asks for it; a value of the wrong type (the
 * API sent 123, null or an array) says what is wrong instead of claiming nothing was sent.
 */
function textRequired(missing: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? missing : "Must be text.");
}

// Pages (no-JS forms send CRLF) and the API agree: line breaks count once.
export const messageText = withoutNul(
  lineBreaksAsLf(z.string({ error: textRequired("Write a message first.") }))
    .trim()
    .min(1, "Write a message first.")
    .max(MESSAGE_MAX, `Messages can be at most ${MESSAGE_MAX.toLocaleString("en")} characters.`),
);

export const conversationTitle = withoutNul(
  z
    .string({ error: textRequired("Enter a title.") })
    .trim()
    .min(1, "Enter a title.")
    .max(120, "Use at most 120 characters."),
);

const messageId = withoutNul(z.string().min(1).max(100));

export const conversationIntent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("send"), message: messageText }),
  z.object({ intent: z.literal("stop"), messageId }),
  z.object({ intent: z.literal("retry") }),
  z.object({ intent: z.literal("regenerate") }),
  // messageId: the message the form was opened on; a stale form (the conversation moved on) is refused.
  z.object({ intent: z.literal("edit"), message: messageText, messageId: messageId.optional() }),
  z.object({ intent: z.literal("version"), messageId }),
  // A link of the page followed without JS (KeepTextLink): the box's text is kept on the way to `keepTo`.
  z.object({ intent: z.literal("keep"), keepTo: withoutNul(z.string().max(2_000)) }),
  z.object({ intent: z.literal("rename"), title: conversationTitle }),
  z.object({ intent: z.literal("pin") }),
  z.object({ intent: z.literal("unpin") }),
  z.object({ intent: z.literal("delete") }),
  z.object({ intent: z.literal("memory-off") }),
  z.object({ intent: z.literal("memory-on") }),
  // "Default" is the empty choice, which arrives as no value at all.
  z.object({ intent: z.literal("model"), model: withoutNul(z.string().max(200)).optional() }),
]);

/** "provider:model" as the model picker submits it; "" means the default. */
export function parseModelChoice(value: string): { provider: "openrouter" | "ollama"; model: string } | null {
  const match = /^(openrouter|ollama):(.+)$/.exec(value);
  if (!match) return null;
  return { provider: match[1] as "openrouter" | "ollama", model: match[2]! };
}

// Parsed with withPlainNumbers (~/validation/number): "0,7" is 0.7, an empty field undefined.
export const chatPreferencesSchema = z.object({
  intent: z.enum(["save", "reset-prompt"]),
  model: withoutNul(z.string().max(200)).optional(),
  systemPrompt: withoutNul(
    lineBreaksAsLf(z.string()).max(8_000, "Keep the system prompt under 8,000 characters."),
  ).optional(),
  temperature: z
    .number({ error: numberMessage("Enter a number.") })
    .min(0, "Use 0 to 2.")
    .max(2, "Use 0 to 2.")
    .optional(),
  topP: z
    .number({ error: numberMessage("Enter a number.") })
    .min(0, "Use 0 to 1.")
    .max(1, "Use 0 to 1.")
    .optional(),
  maxTokens: z
    .number({ error: numberMessage("Enter a number.", { whole: true, min: 16, max: 200_000 }) })
    .int("Use a whole number.")
    .min(16, "Use at least 16.")
    .max(200_000, "Use at most 200000.")
    .optional(),
});
