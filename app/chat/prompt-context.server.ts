import { computed, rowContract, type RowOf } from "~/db/row-contract";
import { queryRows } from "~/db/sql.server";
import { Prisma } from "~/generated/prisma/client";
import { type UpcomingRecord, upcomingEventsColumn } from "~/calendar/prompt-block.server";
import { memoryColumn, promptMemory, type PromptMemory, type StoredPromptMemory } from "~/memory/prompt-memory.server";
import type { HistoryTurn } from "./prompt.server";
import { toChatPreferences, type ChatPreferences, type StoredPreferences } from "./settings.server";

/** History messages considered for the prompt; the token budget usually trims further. */
const HISTORY_WINDOW = 200;

/** Everything a reply's prompt is built from. */
export type PromptContext = {
  /** The conversation's own provider and model, when the person picked one for it. */
  conversation: { provider: string | null; model: string | null; title: string };
  preferences: ChatPreferences;
  /** null: the account is gone, or nothing was read (see memoryColumn for the switches). */
  memory: PromptMemory | null;
  history: HistoryTurn[];
  /** My events that may occur in the next 7 days (expanded when the prompt is built). */
  calendar: UpcomingRecord[];
  newMessage: string;
  isFirstExchange: boolean;
};

/** The columns a statement selects with `preferencesColumn`, `historyColumn` and `memoryColumn`. */
export const promptContextColumns = rowContract({
  preferences: computed("json", { nullable: true }),
  history: computed("json"),
  memory: computed("json", { nullable: true }),
  calendar: computed("json"),
});
/** The same columns as read back: JSON built from ChatSettings, Message and the memory tables. */
export type PromptContextColumns = {
  preferences: StoredPreferences | null;
  history: HistoryTurn[];
  memory: StoredPromptMemory | null;
  calendar: UpcomingRecord[];
};

/** The statement that loads a stored reply's context: the conversation's choice plus the columns above. */
export const replyContextColumns = rowContract({
  provider: "Conversation.provider",
  model: "Conversation.model",
  title: "Conversation.title",
  ...promptContextColumns,
});

export function replyContextSql(userId: string, conversationId: string, replyId: string): Prisma.Sql {
  // Relevant summaries are matched against the message this reply answers: the newest user message before it.
  const answered = Prisma.sql`(SELECT q.content FROM "Message" q
      WHERE q."conversationId" = ${conversationId} AND q.role = 'user'::"MessageRole" AND q.id <> ${replyId}
      ORDER BY q."createdAt" DESC, q.id DESC LIMIT 1)`;
  return Prisma.sql`
    SELECT c.provider, c.model, c.title, ${preferencesColumn(userId)}, ${historyColumn(conversationId, replyId)},
           ${memoryColumn(userId, conversationId, answered)}, ${upcomingEventsColumn(userId)}
      FROM "Conversation" c WHERE c.id = ${conversationId}`;
}

/**
 * These fragments let the statement that stores a message also read its prompt context, so the path
 * to the first token costs one round trip (docs/decisions/004).
 */
export function preferencesColumn(userId: string): Prisma.Sql {
  return Prisma.sql`(SELECT json_build_object('provider', s.provider, 'model', s.model,
      'systemPrompt', s."systemPrompt", 'temperature', s.temperature, 'topP', s."topP", 'maxTokens', s."maxTokens")
    FROM "ChatSettings" s WHERE s."userId" = ${userId}) AS preferences`;
}

/**
 * The newest finished messages of a conversation, oldest first, as a JSON array of turns: of a
 * regenerated reply only the selected version.
 */
export function historyColumn(conversationId: string, exceptMessageId?: string): Prisma.Sql {
  const except = exceptMessageId ? Prisma.sql`AND id <> ${exceptMessageId}` : Prisma.empty;
  return Prisma.sql`(SELECT coalesce(json_agg(json_build_object('role', h.role, 'content', h.content)
                                  ORDER BY h."createdAt", h.id), '[]'::json)
      FROM (SELECT role, content, "createdAt", id FROM "Message"
             WHERE "conversationId" = ${conversationId} ${except}
               AND selected AND role IN ('user', 'assistant') AND status IN ('complete', 'aborted')
             ORDER BY "createdAt" DESC, id DESC LIMIT ${HISTORY_WINDOW}) h) AS history`;
}

/** The context for answering `newMessage`, given the finished history before it. */
export function promptContext(
  conversation: PromptContext["conversation"],
  columns: PromptContextColumns,
  newMessage: string,
): PromptContext {
  // An empty turn (a reply stopped before its first token) tells the model nothing.
  const history = columns.history.filter((turn) => turn.content.length > 0);
  return {
    conversation,
    preferences: toChatPreferences(columns.preferences),
    memory: promptMemory(columns.memory),
    history,
    calendar: columns.calendar,
    newMessage,
    isFirstExchange: history.length === 0,
  };
}

/**
 * The context for a reply already stored as pending (Retry, Regenerate, Edit): the newest finished
 * user message before it is the one to answer.
 */
export async function loadPromptContext(
  userId: string,
  conversationId: string,
  replyId: string,
): Promise<PromptContext> {
  const [row] = await queryRows<RowOf<typeof replyContextColumns> & PromptContextColumns>(
    replyContextSql(userId, conversationId, replyId),
  );
  if (!row) throw new Error(`conversation ${conversationId} of reply ${replyId} is gone`);
  const turns = row.history.filter((turn) => turn.content.length > 0);
  const last = turns.pop();
  if (!last || last.role !== "user") throw new Error(`reply ${replyId} has no user message to answer`);
  return promptContext(
    { provider: row.provider, model: row.model, title: row.title },
    { ...row, history: turns },
    last.content,
  );
}
