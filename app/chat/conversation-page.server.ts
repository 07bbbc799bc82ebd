import type { CreatedAtCursor } from "~/validation/cursor";
import { toCard } from "~/calendar/assistant-actions.server";
import type { ActionCard } from "~/calendar/action-card";
import { queryRows } from "~/db/sql.server";
import { computed, rowContract, type RowOf } from "~/db/row-contract";
import { Prisma, type CalendarAction } from "~/generated/prisma/client";
import type { MessageRole, MessageStatus } from "~/generated/prisma/enums";
import type { MemoryRef } from "~/memory/prompt-memory.server";
import { asProvider, toChatPreferences, type ChatPreferences } from "./settings.server";
import { ConversationNotFoundError, type ConversationDetail } from "./conversations.server";
import { MESSAGES_PER_PAGE } from "./messages.server";
import type { ReplySource } from "./reply-html.server";

/**
 * The conversation page's data in one statement (docs/decisions/004, 010): the conversation (owned by
 * the person), their chat preferences, and a page of the thread — each message with its stored HTML,
 * its versions when regenerated, the memories its prompt used and its calendar action cards.
 */
export const conversationPageColumns = rowContract({
  id: "Conversation.id",
  title: "Conversation.title",
  titleIsManual: "Conversation.titleIsManual",
  pinned: "Conversation.pinned",
  provider: "Conversation.provider",
  model: "Conversation.model",
  createdAt: "Conversation.createdAt",
  memoryEnabled: "Conversation.memoryEnabled",
  preferredProvider: "ChatSettings.provider",
  preferredModel: "ChatSettings.model",
  systemPrompt: "ChatSettings.systemPrompt",
  temperature: "ChatSettings.temperature",
  topP: "ChatSettings.topP",
  maxTokens: "ChatSettings.maxTokens",
  /** The page's messages, newest first, one more than the page (there are earlier ones): PageMessageJson[]. */
  messages: computed("json"),
  /** The message box's kept text, when the browser's marker named this page (chat/kept-text.server.ts). */
  keptMessage: computed("text", { nullable: true }),
});

/** The keys of each message object in `messages` (the hot-path SQL test holds the statement to them). */
export const pageMessageKeys = [
  "id",
  "role",
  "status",
  "content",
  "html",
  "htmlVersion",
  "provider",
  "model",
  "fallbackFrom",
  "promptTokens",
  "completionTokens",
  "createdAt",
  "versionIds",
  "memories",
  "actions",
] as const;

/** A message as the statement's JSON carries it: timestamps are zone-less UTC text. */
type PageMessageJson = {
  id: string;
  role: MessageRole;
  status: MessageStatus;
  content: string;
  html: string | null;
  htmlVersion: number | null;
  provider: string | null;
  model: string | null;
  fallbackFrom: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  createdAt: string;
  versionIds: string[] | null;
  memories: MemoryRef[] | null;
  actions: Array<
    Omit<CalendarAction, "decidedAt" | "createdAt" | "updatedAt"> & {
      decidedAt: string | null;
      createdAt: string;
      updatedAt: string;
    }
  > | null;
};

export type PageMessage = ReplySource & {
  provider: string | null;
  model: string | null;
  fallbackFrom: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  createdAt: Date;
  /** The ids of this reply's versions, oldest first (this one among them); null for a single version. */
  versionIds: string[] | null;
  /** Replies: the memories their stored prompt used; null when no prompt was stored. */
  memories: MemoryRef[] | null;
  actions: ActionCard[];
};

export type ConversationPage = {
  conversation: ConversationDetail;
  preferences: ChatPreferences;
  /** Oldest first, for display. */
  messages: PageMessage[];
  /** What the message box held when this page was left without JS (its marker named this keep), once. */
  keptMessage: string | null;
  /** The cursor of the page before this one, when there is one. */
  earlier: CreatedAtCursor | null;
};

/** `before`: the page before this message; with `through`, the page that ends with it (a search hit). */
export type PagePosition = { cursor: CreatedAtCursor; through: boolean } | null;

function positionSql(position: PagePosition): Prisma.Sql {
  if (!position) return Prisma.empty;
  const { id } = position.cursor;
  // As UTC text: node-postgres would send a Date in the process's zone, and the column has none.
  const createdAt = Prisma.sql`${position.cursor.createdAt.toISOString()}::timestamp(3)`;
  // A row comparison, which the (conversationId, createdAt, id) index can start from; spelt out with OR, it
  // was a filter that read every newer message of the thread first.
  return position.through
    ? Prisma.sql`AND (m."createdAt", m.id) <= (${createdAt}, ${id})`
    : Prisma.sql`AND (m."createdAt", m.id) < (${createdAt}, ${id})`;
}

/**
 * The text the message box held when this page was left without JS, read with the page rather than by a
 * statement of its own: only when the browser's marker named this page and this keep (its keptAt).
 */
function keptMessageSql(userId: string, keptAt: Date | null): Prisma.Sql {
  if (!keptAt) return Prisma.sql`NULL::text`;
  return Prisma.sql`(SELECT k.message FROM "KeptComposerText" k
                      WHERE k."userId" = ${userId} AND k.page = '/chat/' || c.id
                        AND k."keptAt" = ${keptAt.toISOString()}::timestamp(3))`;
}

export function conversationPageSql(
  userId: string,
  conversationId: string,
  position: PagePosition,
  limit = MESSAGES_PER_PAGE,
  keptAt: Date | null = null,
): Prisma.Sql {
  // Only the chosen version of a regenerated reply is in the thread; the messages are read only when
  // the conversation is the person's (the join on c).
  return Prisma.sql`
    WITH c AS (
      SELECT id, title, "titleIsManual", pinned, provider, model, "createdAt", "memoryEnabled"
        FROM "Conversation" WHERE id = ${conversationId} AND "userId" = ${userId}
    ), page AS (
      SELECT m.id, m.role, m.status, m.content, m.html, m."htmlVersion", m.provider, m.model, m."fallbackFrom",
             m."promptTokens", m."completionTokens", m."createdAt", m."versionGroupId"
        FROM "Message" m JOIN c ON m."conversationId" = c.id
       WHERE m."conversationId" = ${conversationId} AND m.selected ${positionSql(position)}
       ORDER BY m."createdAt" DESC, m.id DESC
       LIMIT ${limit + 1}
    )
    SELECT c.id, c.title, c."titleIsManual", c.pinned, c.provider, c.model, c."createdAt", c."memoryEnabled",
           s.provider AS "preferredProvider", s.model AS "preferredModel", s."systemPrompt", s.temperature,
           s."topP", s."maxTokens",
           COALESCE((
             SELECT json_agg(json_build_object(
                      'id', p.id, 'role', p.role, 'status', p.status, 'content', p.content, 'html', p.html,
                      'htmlVersion', p."htmlVersion", 'provider', p.provider, 'model', p.model,
                      'fallbackFrom', p."fallbackFrom", 'promptTokens', p."promptTokens",
                      'completionTokens', p."completionTokens", 'createdAt', p."createdAt",
                      'versionIds', (SELECT json_agg(v.id ORDER BY v."createdAt", v.id)
                                       FROM "Message" v WHERE v."versionGroupId" = p."versionGroupId"
                                        AND v.role = 'assistant'),
                      'memories', (SELECT r.memories FROM "ReplyPrompt" r
                                    WHERE r."messageId" = p.id AND r."userId" = ${userId}),
                      'actions', (SELECT json_agg(a ORDER BY a."createdAt", a.id) FROM "CalendarAction" a
                                   WHERE a."messageId" = p.id AND a."userId" = ${userId})
                    ) ORDER BY p."createdAt" DESC, p.id DESC)
               FROM page p), '[]'::json) AS messages,
           ${keptMessageSql(userId, keptAt)} AS "keptMessage"
      FROM c LEFT JOIN "ChatSettings" s ON s."userId" = ${userId}`;
}

// json_build_object writes a zone-less timestamp as ISO text without the zone; Prisma stores UTC.
const utc = (text: string) => new Date(`${text}Z`);

/** The page of a conversation of this person, or ConversationNotFoundError. */
export async function conversationPage(
  user: { id: string; timeZone: string },
  conversationId: string,
  position: PagePosition,
  limit = MESSAGES_PER_PAGE,
  now = new Date(),
  keptAt: Date | null = null,
): Promise<ConversationPage> {
  const [row] = await queryRows<RowOf<typeof conversationPageColumns>>(
    conversationPageSql(user.id, conversationId, position, limit, keptAt),
  );
  if (!row) throw new ConversationNotFoundError();
  const rows = row.messages as PageMessageJson[];
  const page = rows.slice(0, limit).reverse();
  const messages = page.map(({ createdAt, versionIds, memories, actions, ...message }): PageMessage => ({
    ...message,
    createdAt: utc(createdAt),
    // A failed Regenerate (an error row in the group) is no version, but it still shows its pager.
    versionIds: versionIds && (versionIds.length > 1 || versionIds[0] !== message.id) ? versionIds : null,
    memories,
    actions: (actions ?? []).map((action) =>
      toCard(
        {
          ...action,
          decidedAt: action.decidedAt === null ? null : utc(action.decidedAt),
          createdAt: utc(action.createdAt),
          updatedAt: utc(action.updatedAt),
        },
        now,
        user.timeZone,
      ),
    ),
  }));
  const oldest = messages[0];
  return {
    conversation: {
      id: row.id,
      title: row.title,
      titleIsManual: row.titleIsManual,
      pinned: row.pinned,
      provider: asProvider(row.provider),
      model: row.model,
      createdAt: row.createdAt,
      memoryEnabled: row.memoryEnabled,
    },
    preferences: toChatPreferences({
      provider: row.preferredProvider,
      model: row.preferredModel,
      systemPrompt: row.systemPrompt,
      temperature: row.temperature,
      topP: row.topP,
      maxTokens: row.maxTokens,
    }),
    messages,
    earlier: rows.length > limit && oldest ? { createdAt: oldest.createdAt, id: oldest.id } : null,
    keptMessage: row.keptMessage,
  };
}
