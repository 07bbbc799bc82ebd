import { upcomingLines } from "~/calendar/prompt-block.server";
import { CALENDAR_TOOLS_TOKENS } from "~/calendar/tools.server";
import { config } from "~/config/env.server";
import type { RowOf } from "~/db/row-contract";
import { queryRows } from "~/db/sql.server";
import { contextWindow, countTokens } from "~/llm/router.server";
import { PROVIDER_LABELS } from "~/llm/types";
import { promptMemory } from "~/memory/prompt-memory.server";
import { getConversation } from "./conversations.server";
import { type replyContextColumns, replyContextSql, type PromptContextColumns } from "./prompt-context.server";
import { buildPrompt, type AssembledPrompt } from "./prompt.server";
import { modelForReply, toChatPreferences } from "./settings.server";

const DEFAULT_REPLY_TOKENS = 1024;
export const NEXT_MESSAGE_PLACEHOLDER = "(your next message)";

/**
 * What would be sent with my next message in this conversation: the same statement and assembly as a
 * reply (relevant summaries matched against my last message, since the next one is not written yet).
 * Throws ConversationNotFoundError for anyone else's conversation.
 */
export async function previewNextPrompt(userId: string, conversationId: string): Promise<AssembledPrompt> {
  await getConversation(userId, conversationId);
  // No reply is excluded: every finished message is history for the next one.
  const [row] = await queryRows<RowOf<typeof replyContextColumns> & PromptContextColumns>(
    replyContextSql(userId, conversationId, ""),
  );
  const preferences = toChatPreferences(row!.preferences);
  const { provider, model } = modelForReply(row!, preferences);
  const now = new Date();
  const timeZone = row!.memory?.timeZone ?? "UTC";
  return buildPrompt({
    systemPrompt: preferences.systemPrompt,
    memory: promptMemory(row!.memory),
    working: {
      now,
      timeZone,
      provider: PROVIDER_LABELS[provider],
      model,
      conversationTitle: row!.title,
      calendar: upcomingLines(row!.calendar, timeZone, now),
    },
    history: row!.history.filter((turn) => turn.content.length > 0),
    newMessage: NEXT_MESSAGE_PLACEHOLDER,
    contextWindow: (await contextWindow(provider, model)) - (config().llmTools ? CALENDAR_TOOLS_TOKENS : 0),
    replyTokens: preferences.maxTokens ?? DEFAULT_REPLY_TOKENS,
    countTokens,
  });
}
