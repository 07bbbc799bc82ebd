import { z } from "zod";

// Telegram chat ids fit in 52 bits; anything longer is not a chat (and would overflow the column).
const chatId = z.string().regex(/^-?\d{1,16}$/, "Choose a chat.");

export const telegramSettingsSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("code") }),
  z.object({ intent: z.literal("unlink"), chatId }),
  z.object({ intent: z.literal("dismiss"), chatId }),
]);

/** What ARES answers Telegram's webhook call with. */
export const webhookResponseSchema = z.object({
  ok: z.literal(true),
  outcome: z.enum(["received", "handled", "duplicate", "unlinked", "ignored", "failed"]),
});
