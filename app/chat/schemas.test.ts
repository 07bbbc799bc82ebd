import { parseWithZod } from "@conform-to/zod/v4";
import { withPlainNumbers } from "~/validation/number";
import { describe, expect, it } from "vitest";
import { sendMessageRequestSchema } from "./api-schemas";
import { chatPreferencesSchema, conversationIntent, MESSAGE_MAX } from "./schemas";

/** A form as a browser sends it: a textarea's line breaks become CRLF. */
function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value.replaceAll("\n", "\r\n"));
  return data;
}

// Exactly as long as the box allows (maxlength counts a line break once), with 4,000 line breaks.
const FULL_BOX = `${"x".repeat(7)}\n`.repeat(4_000).slice(0, -1) + "y";

describe("text boxes with line breaks (browsers send CRLF)", () => {
  it("the full box is as long as maxlength allows", () => {
    expect(FULL_BOX.length).toBe(MESSAGE_MAX);
  });

  it.each(["send", "edit"])("%s: a message the box accepted is accepted, and kept with LF line breaks", (intent) => {
    const submission = parseWithZod(form({ intent, message: FULL_BOX }), { schema: conversationIntent });
    expect(submission.status).toBe("success");
    expect(submission.status === "success" && "message" in submission.value && submission.value.message).toBe(FULL_BOX);
  });

  it("one character more is still refused, with the limit in words", () => {
    const submission = parseWithZod(form({ intent: "send", message: `${FULL_BOX}z` }), { schema: conversationIntent });
    expect(submission.status === "error" && submission.error?.message).toEqual([
      "Messages can be at most 32,000 characters.",
    ]);
  });

  it("the API agrees: CRLF counts once and is stored as LF", () => {
    const parsed = sendMessageRequestSchema.safeParse({ content: FULL_BOX.replaceAll("\n", "\r\n") });
    expect(parsed.success && parsed.data.content).toBe(FULL_BOX);
    // A lone CR (old Mac line breaks) is a line break too.
    expect(sendMessageRequestSchema.parse({ content: "a\rb" }).content).toBe("a\nb");
  });

  it("the system prompt box follows the same rule", () => {
    const prompt = `${"p".repeat(7)}\n`.repeat(1_000);
    expect(prompt.length).toBe(8_000);
    const submission = parseWithZod(form({ intent: "save", systemPrompt: prompt }), { schema: chatPreferencesSchema });
    expect(submission.status).toBe("success");
    expect(submission.status === "success" && submission.value.systemPrompt).toBe(prompt);
  });
});

describe("the chat settings' number fields", () => {
  const errors = (fields: Record<string, string>) =>
    parseWithZod(form({ intent: "save", ...fields }), {
      schema: withPlainNumbers(chatPreferencesSchema),
      disableAutoCoercion: true,
    }).reply().error;

  it("the reply length takes whole numbers: 1,000 is refused without suggesting 1.000", () => {
    expect(errors({ maxTokens: "1,000" })).toEqual({ maxTokens: ["Write 1000 (no thousands separator)."] });
  });

  it("the temperature could be either, and says both", () => {
    expect(errors({ temperature: "1,000" })).toEqual({
      temperature: ["Write 1000, or 1.000 for a decimal: with a comma it could be either."],
    });
  });
});
