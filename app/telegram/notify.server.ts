/**
 * Sends something ARES has to say on its own (a reminder, the morning briefing) to the person's linked
 * Telegram chats. The text is Markdown from ARES itself (a briefing may hold the model's words), so it
 * goes through the same Telegram-safe renderer as replies.
 */
import { config } from "~/config/env.server";
import { prisma } from "~/db/db.server";
import { createBotApi, TelegramApiError } from "./bot-api.server";
import { unlinkBlockedChat } from "./linking.server";
import { toTelegramMessages } from "./render.server";

export type TelegramDelivery = "sent" | "no_linked_chat" | "telegram_off";

/**
 * Sends the text to every linked chat of the person. A chat that blocked the bot is unlinked (the web
 * says so); any other failure is thrown, so the job that called this is retried.
 */
export async function sendToLinkedChats(userId: string, markdown: string): Promise<TelegramDelivery> {
  const telegram = config().telegram;
  if (!telegram) return "telegram_off";
  const chats = await prisma.telegramLink.findMany({
    where: { userId, unlinkedAt: null, user: { disabledAt: null } },
    select: { chatId: true },
  });
  if (chats.length === 0) return "no_linked_chat";
  const api = createBotApi(telegram);
  const messages = toTelegramMessages(markdown);
  for (const { chatId } of chats) {
    try {
      for (const text of messages) await api.call("sendMessage", { chat_id: Number(chatId), text, parse_mode: "HTML" });
    } catch (error) {
      if (!(error instanceof TelegramApiError && error.chatUnreachable)) throw error;
      await unlinkBlockedChat(chatId);
    }
  }
  return "sent";
}
