/**
 * Sends something ARES has to say on its own (a reminder, the morning briefing) to the person's linked
 * Telegram chats, as plain text: event titles come from anyone who can send an invitation or publish
 * a feed, so nothing in them may become a link or markup.
 */
import { config } from "~/config/env.server";
import { prisma } from "~/db/db.server";
import { logger } from "~/observability/logger.server";
import { createBotApi, TelegramApiError, TelegramUnreachableError } from "./bot-api.server";
import { unlinkBlockedChat } from "./linking.server";
import { TELEGRAM_MESSAGE_LIMIT } from "./render.server";

const log = logger.child({ domain: "telegram" });

export type TelegramDelivery = "sent" | "no_linked_chat" | "telegram_off";

/** The text in pieces Telegram takes, cut at line ends where it can. */
function pieces(text: string): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > TELEGRAM_MESSAGE_LIMIT) {
    const cut = rest.lastIndexOf("\n", TELEGRAM_MESSAGE_LIMIT);
    const at = cut > TELEGRAM_MESSAGE_LIMIT / 2 ? cut : TELEGRAM_MESSAGE_LIMIT;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, "");
  }
  return [...parts, rest];
}

/**
 * Sends the text to every linked chat of the person. A chat that blocked the bot (or is gone) is
 * unlinked, and the web says so. When Telegram fails for every chat, this throws, so the job that called
 * it is retried; once any chat has it, a failure for another chat is logged rather than retried, so no
 * chat ever gets the same notification twice.
 */
export async function sendToLinkedChats(userId: string, text: string): Promise<TelegramDelivery> {
  const telegram = config().telegram;
  if (!telegram) return "telegram_off";
  const chats = await prisma.telegramLink.findMany({
    where: { userId, unlinkedAt: null, user: { disabledAt: null } },
    select: { chatId: true },
  });
  if (chats.length === 0) return "no_linked_chat";
  const api = createBotApi(telegram);
  let delivered = 0;
  let failure: Error | undefined;
  for (const { chatId } of chats) {
    try {
      for (const piece of pieces(text)) await api.call("sendMessage", { chat_id: Number(chatId), text: piece });
      delivered += 1;
    } catch (error) {
      if (error instanceof TelegramApiError && error.chatUnreachable) {
        await unlinkBlockedChat(chatId);
      } else if (error instanceof TelegramApiError || error instanceof TelegramUnreachableError) {
        failure = error;
        log.warn({ err: error, chatId: chatId.toString() }, "a notification did not reach a Telegram chat");
      } else {
        throw error;
      }
    }
  }
  if (delivered === 0 && failure) throw failure;
  return "sent";
}
