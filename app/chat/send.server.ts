import { randomUUID } from "node:crypto";
import { computed, rowContract, type RowOf } from "~/db/row-contract";
import { isDatabaseUnavailable } from "~/db/availability.server";
import { queryRows, queryRowsCommitting } from "~/db/sql.server";
import { Prisma } from "~/generated/prisma/client";
import { ConversationNotFoundError, titleFromFirstMessage } from "./conversations.server";
import type { ExchangeIds } from "./messages.server";
import {
  historyColumn,
  preferencesColumn,
  promptContext,
  promptContextColumns,
  type PromptContext,
  type PromptContextColumns,
} from "./prompt-context.server";
import { memoryColumn } from "~/memory/prompt-memory.server";
import { upcomingEventsColumn } from "~/calendar/prompt-block.server";
import { quotaColumns, quotaDecision, quotaSql, type QuotaDecision } from "./quota.server";

export type StoredExchange =
  | { ok: true; ids: ExchangeIds; context: PromptContext }
  | { ok: false; refusal: Extract<QuotaDecision, { allowed: false }> };

/** An exchange whose rows are known but maybe not yet durable (see startExchange). */
type StartedExchange =
  | (Extract<StoredExchange, { ok: true }> & {
      /** Resolves once the message is durable; until then nobody may be told it exists. */
      committed: Promise<void>;
    })
  | Extract<StoredExchange, { ok: false }>;

export const storeExchangeColumns = rowContract({
  ...quotaColumns,
  stored: computed("boolean"),
  provider: "Conversation.provider",
  model: "Conversation.model",
  title: "Conversation.title",
  ...promptContextColumns,
});
type SendRow = RowOf<typeof storeExchangeColumns> & PromptContextColumns;

type ExchangeInput = {
  userId: string;
  conversationId: string;
  content: string;
  ids: ExchangeIds;
  firstTitle: string | null;
};

/** The statement behind storeExchange (its columns: storeExchangeColumns). */
export function storeExchangeSql({ userId, conversationId, content, ids, firstTitle }: ExchangeInput): Prisma.Sql {
  // Timestamps are UTC without a zone (Prisma's convention); the reply sorts 1 ms after the question.
  return Prisma.sql`
    WITH quota AS (${quotaSql(userId)}),
    owned AS (
      UPDATE "Conversation" SET "lastMessageAt" = now() AT TIME ZONE 'UTC', "updatedAt" = now() AT TIME ZONE 'UTC',
             title = CASE
               WHEN "titleIsManual" OR ${firstTitle}::text IS NULL
                 OR EXISTS (SELECT 1 FROM "Message" m WHERE m."conversationId" = ${conversationId}) THEN title
               ELSE ${firstTitle}::text END
       WHERE id = ${conversationId} AND "userId" = ${userId}
         AND NOT EXISTS (SELECT 1 FROM quota WHERE "rateExceeded" OR "budgetExceeded")
      RETURNING id, provider, model, title, now() AT TIME ZONE 'UTC' AS at
    ),
    stored AS (
      INSERT INTO "Message" (id, "conversationId", "userId", role, content, status, "createdAt", "updatedAt")
      SELECT ${ids.userMessageId}, owned.id, ${userId}, 'user'::"MessageRole", ${content}, 'complete'::"MessageStatus",
             owned.at, owned.at FROM owned
      UNION ALL
      SELECT ${ids.assistantMessageId}, owned.id, ${userId}, 'assistant'::"MessageRole", '', 'streaming'::"MessageStatus",
             owned.at + interval '1 millisecond', owned.at FROM owned
    )
    SELECT quota.*, owned.id IS NOT NULL AS stored, owned.provider, owned.model, owned.title,
           ${preferencesColumn(userId)}, ${historyColumn(conversationId)},
           ${memoryColumn(userId, conversationId, Prisma.sql`${content}::text`)}, ${upcomingEventsColumn(userId)}
      FROM quota LEFT JOIN owned ON true`;
}

/**
 * Within the person's quota, stores their message and an empty reply in `streaming` state, bumps the
 * conversation (titling it from a first message), and reads what the reply's prompt needs — one statement, because all of it is on the
 * path to the first token (docs/decisions/004). Nothing is written over quota or unless the
 * conversation is this user's. The history is read from the snapshot before the insert: exactly the
 * finished messages that precede the new one.
 */
export async function storeExchange(userId: string, conversationId: string, content: string): Promise<StoredExchange> {
  const started = await startExchange(userId, conversationId, content);
  if (!started.ok) return started;
  await started.committed;
  return { ok: true, ids: started.ids, context: started.context };
}

/**
 * storeExchange, resolving as soon as the rows are known: `committed` says when they are durable, so the
 * reply can start while PostgreSQL flushes the commit.
 */
export async function startExchange(userId: string, conversationId: string, content: string): Promise<StartedExchange> {
  const ids = { userMessageId: randomUUID(), assistantMessageId: randomUUID() };
  const now = new Date();
  // The first message titles the conversation at once, so every page shows the title from the start.
  const firstTitle = titleFromFirstMessage(content);
  // Read before COMMIT is sent: if reading the row throws, the exchange is rolled back, not left half-started.
  const { value: outcome, committed } = await queryRowsCommitting<SendRow, StoredExchange | null>(
    storeExchangeSql({ userId, conversationId, content, ids, firstTitle }),
    ([row]) => {
      const decision = quotaDecision(row!, now);
      if (!decision.allowed) return { ok: false, refusal: decision };
      if (!row!.stored) return null;
      const conversation = { provider: row!.provider, model: row!.model, title: row!.title };
      return { ok: true, ids, context: promptContext(conversation, row!, content) };
    },
  );
  if (outcome === null || !outcome.ok) {
    // Nothing was written; the transaction still ends before the answer.
    await committed;
    if (outcome === null) throw new ConversationNotFoundError();
    return outcome;
  }
  return { ...outcome, committed };
}

/**
 * Whether a send whose COMMIT lost its connection was stored all the same (the COMMIT may have been
 * applied before the connection broke). Unknown while the database cannot be reached: then no.
 */
export async function exchangeWasStored(ids: ExchangeIds): Promise<boolean> {
  try {
    const rows = await queryRows<{ id: string }>(Prisma.sql`SELECT id FROM "Message" WHERE id = ${ids.userMessageId}`);
    return rows.length > 0;
  } catch (error) {
    if (isDatabaseUnavailable(error)) return false;
    throw error;
  }
}
