import { prisma } from "~/db/db.server";
import { logger } from "~/observability/logger.server";
import { TelegramApiError, type BotApi } from "./bot-api.server";
import { unlinkBlockedChat } from "./linking.server";
import { toTelegramMessages } from "./render.server";

const log = logger.child({ domain: "telegram" });

/**
 * How often a growing reply is re-read and edited into Telegram. Telegram allows about one edit a
 * second per chat; the reply is read from the database, so it streams whichever ARES process writes it.
 */
const EDIT_INTERVAL_MS = 1_000;
/** A reply still `streaming` after this is left as it is (the web shows how it ends). */
const MAX_RELAY_MS = 10 * 60_000;
const PLACEHOLDER = "…";

const relays = new Set<Promise<void>>();

type SentPart = { messageId: number; html: string };

/**
 * Streams one reply into a Telegram chat by editing messages as it grows, then leaves its final text
 * there, split into as many messages as Telegram's length limit needs. Runs in the background and
 * owns its failures: a blocked bot unlinks the chat; anything else is logged.
 */
export function relayReply(api: BotApi, chatId: bigint, userId: string, replyId: string): void {
  const relay = streamReply(api, chatId, userId, replyId)
    .catch(async (error: unknown) => {
      if (error instanceof TelegramApiError && error.chatUnreachable) {
        await unlinkBlockedChat(chatId);
        log.info({ chatId: chatId.toString() }, "the person blocked the bot: chat unlinked");
        return;
      }
      log.warn({ err: error, chatId: chatId.toString(), replyId }, "could not relay a reply to Telegram");
    })
    .catch((error: unknown) => log.error({ err: error }, "telegram relay cleanup failed"))
    .finally(() => relays.delete(relay));
  relays.add(relay);
}

/** Resolves when every relay of this process has finished, or after `timeoutMs`. */
export async function waitForRelays(timeoutMs: number): Promise<void> {
  if (relays.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...relays]),
    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}

async function streamReply(api: BotApi, chatId: bigint, userId: string, replyId: string): Promise<void> {
  const chat = Number(chatId);
  const first = await api.call<{ message_id: number }>("sendMessage", { chat_id: chat, text: PLACEHOLDER });
  const parts: SentPart[] = [{ messageId: first.message_id, html: PLACEHOLDER }];
  const started = Date.now();
  for (;;) {
    const reply = await prisma.message.findFirst({
      where: { id: replyId, userId },
      select: { content: true, status: true },
    });
    const finished = !reply || reply.status !== "streaming";
    const text = reply?.content ?? "";
    await showText(api, chat, parts, text, finished);
    if (finished || Date.now() - started > MAX_RELAY_MS) return;
    await new Promise((resolve) => setTimeout(resolve, EDIT_INTERVAL_MS));
  }
}

/** Brings the chat's messages for this reply up to `text`: edits what changed, sends what is new. */
async function showText(api: BotApi, chat: number, parts: SentPart[], text: string, finished: boolean): Promise<void> {
  const rendered = toTelegramMessages(text);
  if (rendered.length === 0) {
    if (finished) await edit(api, chat, parts[0]!, "(no reply)", undefined);
    return;
  }
  for (const [index, html] of rendered.entries()) {
    const part = parts[index];
    if (!part) {
      const sent = await api.call<{ message_id: number }>("sendMessage", {
        chat_id: chat,
        text: html,
        parse_mode: "HTML",
      });
      parts.push({ messageId: sent.message_id, html });
    } else if (part.html !== html) {
      await edit(api, chat, part, html, "HTML");
    }
  }
}

async function edit(
  api: BotApi,
  chat: number,
  part: SentPart,
  html: string,
  parseMode: "HTML" | undefined,
): Promise<void> {
  try {
    await api.call("editMessageText", {
      chat_id: chat,
      message_id: part.messageId,
      text: html,
      ...(parseMode ? { parse_mode: parseMode } : {}),
    });
  } catch (error) {
    // Telegram refuses an edit that changes nothing; the text is already what it should be.
    if (!(error instanceof TelegramApiError && error.code === 400 && /not modified/.test(error.message))) throw error;
  }
  part.html = html;
}
