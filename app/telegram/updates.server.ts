/**
 * What ARES does with one Telegram update. Each update_id is handled once (a row per id: a webhook
 * retried by Telegram, or two pollers racing, finds it taken). A chat reaches the assistant only after
 * its person linked it; an unlinked chat gets the linking hint and nothing else — no model call, no data.
 */
import { z } from "zod";
import { dayOf, longDate } from "~/calendar/agenda.server";
import { sendMessage, startConversation, stopReply } from "~/chat/chat.server";
import { ConversationNotFoundError, setConversationModel } from "~/chat/conversations.server";
import { MESSAGE_MAX, parseModelChoice } from "~/chat/schemas";
import { prisma } from "~/db/db.server";
import { logger } from "~/observability/logger.server";
import { countTelegramUpdate, type TelegramUpdateOutcome } from "~/observability/metrics.server";
import type { BotApi } from "./bot-api.server";
import { activeLink, linkChat, setChatConversation, type ActiveLink } from "./linking.server";
import { relayReply } from "./relay.server";

const log = logger.child({ domain: "telegram" });

const updateSchema = z.object({
  update_id: z.number().int().nonnegative(),
  message: z
    .object({
      chat: z.object({ id: z.number().int(), type: z.string() }),
      from: z.object({ username: z.string().optional(), first_name: z.string().optional() }).optional(),
      text: z.string().optional(),
    })
    .optional(),
});

export type TelegramBot = { api: BotApi; username: string; id: bigint };

/** Bot commands, as registered with setMyCommands and answered below. */
export const BOT_COMMANDS = [
  { command: "new", description: "Start a new conversation" },
  { command: "model", description: "Show or choose the model for this conversation" },
  { command: "stop", description: "Stop the reply being written" },
  { command: "today", description: "Your calendar for today" },
  { command: "help", description: "What this bot can do" },
] as const;

function linkingHint(bot: TelegramBot): string {
  return [
    "Hello! This is a private ARES assistant, and this chat is not linked to an account yet.",
    `To link it, sign in to ARES on the web, open Settings → Telegram, and follow the link there (or send /start followed by the code it shows to @${bot.username}).`,
  ].join("\n\n");
}

const HELP = [
  "Write to me as you would on the web: every message goes to your ARES conversation.",
  "/new — start a new conversation",
  "/model — show the model; /model ollama:llama3.2 to choose one; /model default to go back",
  "/stop — stop the reply being written",
  "/today — your calendar for today",
].join("\n");

/**
 * A claim older than this belongs to a process that could neither finish its update nor give the claim
 * back (the database went away mid-update, or the process died): Telegram's retry takes it over. Well
 * above the time one update takes (a few queries and a sendMessage; the reply is relayed afterwards).
 */
const STALE_CLAIM = "2 minutes";

type Claim = { taken: true; since: Date } | { taken: false; outcome: "duplicate" | "in_progress" };

/**
 * Takes the update for this process, in the database (never in process memory: the retry may come to
 * another webhook process, a new poller, or this one restarted). A row with `pendingSince` NULL was
 * handled; one being handled answers `in_progress` (Telegram must bring it again) until its claim is stale.
 * Times are UTC, as every timestamp column here (no time zone).
 */
async function claimUpdate(botId: bigint, updateId: bigint): Promise<Claim> {
  const claimed = await prisma.$queryRaw<Array<{ pendingSince: Date }>>`
    INSERT INTO "TelegramUpdate" ("botId", "updateId", "receivedAt", "pendingSince")
    VALUES (${botId}, ${updateId}, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
    ON CONFLICT ("botId", "updateId") DO UPDATE SET "pendingSince" = EXCLUDED."pendingSince"
    WHERE "TelegramUpdate"."pendingSince" < EXCLUDED."pendingSince" - ${STALE_CLAIM}::interval
    RETURNING "pendingSince"`;
  if (claimed[0]) return { taken: true, since: claimed[0].pendingSince };
  const row = await prisma.telegramUpdate.findUnique({
    where: { botId_updateId: { botId, updateId } },
    select: { pendingSince: true },
  });
  // No row: given back just now by the process that had it; Telegram's next try takes it.
  return { taken: false, outcome: row && row.pendingSince === null ? "duplicate" : "in_progress" };
}

/** Handles one update; the outcome is also counted for /metrics. */
export async function handleUpdate(bot: TelegramBot, raw: unknown): Promise<TelegramUpdateOutcome> {
  countTelegramUpdate("received");
  const parsed = updateSchema.safeParse(raw);
  let outcome: TelegramUpdateOutcome;
  if (!parsed.success) {
    outcome = "ignored";
  } else {
    const updateId = BigInt(parsed.data.update_id);
    const claim = await claimUpdate(bot.id, updateId);
    if (!claim.taken) {
      outcome = claim.outcome;
    } else {
      try {
        outcome = await handleMessage(bot, parsed.data.message);
      } catch (error) {
        // Given back, so that Telegram's retry of this update is handled rather than dropped. When that
        // fails too (the database went away mid-update, the usual reason the handling failed), the claim
        // goes stale and the retry takes it over then.
        await prisma.telegramUpdate
          .deleteMany({ where: { botId: bot.id, updateId, pendingSince: claim.since } })
          .catch((releaseError: unknown) =>
            log.warn({ err: releaseError, updateId: parsed.data.update_id }, "could not give back a Telegram update"),
          );
        countTelegramUpdate("failed");
        throw error;
      }
      // Handled: a retry now is a duplicate. Should this write fail, nobody retries what was answered with
      // 200 or confirmed by offset; a later delivery (rare) would handle it again after the stale time.
      await prisma.telegramUpdate
        .updateMany({ where: { botId: bot.id, updateId }, data: { pendingSince: null } })
        .catch((error: unknown) =>
          log.warn({ err: error, updateId: parsed.data.update_id }, "could not mark a Telegram update handled"),
        );
    }
  }
  countTelegramUpdate(outcome);
  return outcome;
}

type IncomingMessage = NonNullable<z.infer<typeof updateSchema>["message"]>;

async function handleMessage(bot: TelegramBot, message: IncomingMessage | undefined): Promise<TelegramUpdateOutcome> {
  if (!message || message.chat.type !== "private" || message.text === undefined) return "ignored";
  const chatId = BigInt(message.chat.id);
  const say = (text: string) => bot.api.call("sendMessage", { chat_id: message.chat.id, text });
  const text = message.text.trim();
  const [command, ...rest] = text.split(/\s+/);
  const argument = rest.join(" ");

  if (command === "/start" && argument) {
    const result = await linkChat(argument, {
      chatId,
      username: message.from?.username,
      displayName: message.from?.first_name,
    });
    await say(
      result.linked
        ? `Linked to ${result.email}. Write to me, and your messages and my replies appear in ARES on the web too.`
        : "That code is not valid any more (codes work once, for 10 minutes). Get a new one in ARES under Settings → Telegram.",
    );
    return "handled";
  }

  const link = await activeLink(chatId);
  if (!link) {
    // Told once a day at most: a stranger writing often must not use up the bot's sending rate.
    if (await claimHint(bot.id, chatId)) await say(linkingHint(bot));
    return "unlinked";
  }

  switch (command) {
    case "/start":
    case "/help":
      await say(HELP);
      return "handled";
    case "/new":
      await setChatConversation(chatId, null);
      await say("New conversation started. What would you like to talk about?");
      return "handled";
    case "/stop":
      await say((await stopCurrentReply(link)) ? "Stopped." : "Nothing is being written right now.");
      return "handled";
    case "/model":
      await say(await chooseModel(link, argument));
      return "handled";
    case "/today":
      await say(await describeToday(link));
      return "handled";
  }
  if (text === "") return "ignored";
  if (text.length > MESSAGE_MAX) {
    await say(`Messages can be at most ${MESSAGE_MAX.toLocaleString("en")} characters.`);
    return "handled";
  }
  await converse(bot, link, text, say);
  return "handled";
}

const HINT_INTERVAL_MS = 24 * 3600_000;

/** True when this chat has not been told how to link in the last day (and records that it is now). */
async function claimHint(botId: bigint, chatId: bigint, now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - HINT_INTERVAL_MS);
  const claimed = await prisma.$executeRaw`
    INSERT INTO "TelegramHint" ("botId", "chatId", "sentAt") VALUES (${botId}, ${chatId}, ${now})
    ON CONFLICT ("botId", "chatId") DO UPDATE SET "sentAt" = EXCLUDED."sentAt"
    WHERE "TelegramHint"."sentAt" < ${since}`;
  return claimed > 0;
}

async function converse(
  bot: TelegramBot,
  link: ActiveLink,
  text: string,
  say: (text: string) => Promise<unknown>,
): Promise<void> {
  let outcome;
  try {
    outcome = link.conversationId
      ? await sendMessage(link.userId, link.conversationId, text)
      : await startConversation(link.userId, text);
  } catch (error) {
    // The conversation was deleted on the web: this message starts a new one.
    if (!(error instanceof ConversationNotFoundError)) throw error;
    outcome = await startConversation(link.userId, text);
  }
  if (!outcome.ok) {
    await say(outcome.refusal.message);
    return;
  }
  if (outcome.conversationId !== link.conversationId) await setChatConversation(link.chatId, outcome.conversationId);
  relayReply(bot.api, link.chatId, link.userId, outcome.ids.assistantMessageId);
}

async function describeToday(link: ActiveLink): Promise<string> {
  const day = await dayOf(link.userId);
  if (!day) return "Nothing to show.";
  const heading = `${longDate(day.date)} (${day.timeZone})`;
  if (day.lines.length === 0) return `${heading}: nothing in your calendar today.`;
  return [`${heading}:`, ...day.lines.map((line) => `• ${line}`)].join("\n");
}

async function stopCurrentReply(link: ActiveLink): Promise<boolean> {
  if (!link.conversationId) return false;
  const writing = await prisma.message.findFirst({
    where: { conversationId: link.conversationId, userId: link.userId, status: "streaming" },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
  return writing ? stopReply(link.userId, writing.id) : false;
}

async function chooseModel(link: ActiveLink, argument: string): Promise<string> {
  if (!link.conversationId) return "Start a conversation first, then choose its model with /model provider:model.";
  if (argument === "") {
    const conversation = await prisma.conversation.findFirst({
      where: { id: link.conversationId, userId: link.userId },
      select: { provider: true, model: true },
    });
    const current = conversation?.provider ? `${conversation.provider}:${conversation.model}` : "your default model";
    return `This conversation uses ${current}. Choose another with /model provider:model (e.g. /model ollama:llama3.2), or /model default.`;
  }
  const choice = argument === "default" ? null : parseModelChoice(argument);
  if (argument !== "default" && !choice)
    return "Write it as provider:model, e.g. /model ollama:llama3.2 or /model openrouter:openrouter/auto.";
  try {
    await setConversationModel(link.userId, link.conversationId, choice?.provider ?? null, choice?.model ?? null);
  } catch (error) {
    if (!(error instanceof ConversationNotFoundError)) throw error;
    return "That conversation is gone. Send a message to start a new one.";
  }
  return choice ? `Replies in this conversation now come from ${argument}.` : "Back to your default model.";
}
