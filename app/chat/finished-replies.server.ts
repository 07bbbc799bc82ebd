import { remember } from "@epic-web/remember";
import { describeError, isDatabaseUnavailable } from "~/db/availability.server";
import { rowContract, type RowOf } from "~/db/row-contract";
import { queryRows } from "~/db/sql.server";
import { Prisma } from "~/generated/prisma/client";
import type { MessageStatus } from "~/generated/prisma/enums";
import { tokenCount } from "~/llm/token-count";
import type { LlmUsage } from "~/llm/types";
import { logger } from "~/observability/logger.server";
import type { AssembledPrompt } from "./prompt.server";

/**
 * A finished reply's last write — its text, HTML and outcome, the prompt it was sent with, and the tokens
 * it used added to today's usage — is ONE statement, and the replies that finish while one is in flight
 * are stored together by the next. Before, each reply cost five ORM statements (a transaction for the
 * message, two upserts, …); in a burst they held the pool that new sends wait on, and their compiled
 * queries were a quarter of the process's CPU (bench/throughput.ts, issue #17).
 */

const log = logger.child({ domain: "chat" });

export type FinishedReply = {
  messageId: string;
  userId: string;
  content: string;
  html: string;
  htmlVersion: number;
  status: Extract<MessageStatus, "complete" | "aborted" | "error">;
  provider: string;
  model: string;
  fallbackFrom: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cost: number | null;
  latencyMs: number | null;
  /** Stored with the reply for /chat/<id>/prompt; absent when it is stored on its own. */
  prompt?: Pick<AssembledPrompt, "sections" | "memories">;
  /** Added to the person's usage today for this provider and model; absent: nothing to count. */
  usage?: { provider: string; model: string; counts: LlmUsage | null };
};

export const finishedRepliesColumns = rowContract({ id: "Message.id" });
type FinishedReplyRow = RowOf<typeof finishedRepliesColumns>;

/**
 * The statement behind each write (its columns: finishedRepliesColumns, the replies whose row was still
 * there). The prompt is stored only with a reply that still exists; usage is counted either way — the
 * tokens were spent. Usage rows are summed per day, provider and model first: an upsert may not touch a
 * row twice in one statement. Token counts stop at the largest int (TOKEN_COUNT_MAX, 2^31 - 1) rather than overflow: an
 * overflow would refuse this person's reply, and the quota reads such a row as a budget long used. That
 * holds for one reply's own counts too (a provider may report more), before they are cast to int.
 */
export function finishedRepliesSql(replies: FinishedReply[]): Prisma.Sql {
  // Rows are locked in key order (replies by id, usage rows by person, provider and model), whichever
  // order the replies finished in: two writes touching the same rows cannot deadlock.
  const ordered = [...replies].sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
  const column = <T>(value: (reply: FinishedReply) => T) => ordered.map(value);
  const json = (value: unknown) => JSON.stringify(value);
  // A count the provider reported oddly (NaN from a round without usage, negative, a fraction) would refuse
  // the reply like an overflow would, or lower the day's usage: stored as a whole number from 0 to the maximum.
  const tokens = <T extends number | null>(count: T): T => (count === null ? count : tokenCount(count)) as T;
  // Timestamps and the usage day are UTC without a zone (Prisma's convention), as the quota reads them.
  return Prisma.sql`
    WITH v AS (
      SELECT * FROM unnest(
        ${column((r) => r.messageId)}::text[], ${column((r) => r.userId)}::text[],
        ${column((r) => r.content)}::text[], ${column((r) => r.html)}::text[], ${column((r) => r.htmlVersion)}::int[],
        ${column((r) => r.status)}::"MessageStatus"[], ${column((r) => r.provider)}::text[],
        ${column((r) => r.model)}::text[], ${column((r) => r.fallbackFrom)}::text[],
        ${column((r) => tokens(r.promptTokens))}::int[], ${column((r) => tokens(r.completionTokens))}::int[],
        ${column((r) => r.cost)}::float8[], ${column((r) => r.latencyMs)}::int[],
        ${column((r) => (r.prompt ? json(r.prompt.sections) : null))}::jsonb[],
        ${column((r) => (r.prompt ? json(r.prompt.memories) : null))}::jsonb[],
        ${column((r) => r.usage?.provider ?? null)}::text[], ${column((r) => r.usage?.model ?? null)}::text[],
        ${column((r) => tokens(r.usage?.counts?.promptTokens ?? 0))}::int[],
        ${column((r) => tokens(r.usage?.counts?.completionTokens ?? 0))}::int[],
        ${column((r) => r.usage?.counts?.cost ?? 0)}::float8[]
      ) AS v(id, "userId", content, html, "htmlVersion", status, provider, model, "fallbackFrom", "promptTokens",
             "completionTokens", cost, "latencyMs", sections, memories, "usageProvider", "usageModel",
             "usagePromptTokens", "usageCompletionTokens", "usageCost")
    ),
    finished AS (
      UPDATE "Message" AS m
         SET content = v.content, html = v.html, "htmlVersion" = v."htmlVersion", status = v.status,
             provider = v.provider, model = v.model, "fallbackFrom" = v."fallbackFrom",
             "promptTokens" = v."promptTokens", "completionTokens" = v."completionTokens", cost = v.cost,
             "latencyMs" = v."latencyMs", "updatedAt" = now() AT TIME ZONE 'UTC'
        FROM v WHERE m.id = v.id
      RETURNING m.id
    ),
    prompts AS (
      INSERT INTO "ReplyPrompt" ("messageId", "userId", sections, memories, "createdAt")
      SELECT v.id, v."userId", v.sections, v.memories, now() AT TIME ZONE 'UTC'
        FROM v JOIN finished ON finished.id = v.id WHERE v.sections IS NOT NULL
      ON CONFLICT ("messageId") DO UPDATE SET sections = excluded.sections, memories = excluded.memories
    ),
    usage AS (
      INSERT INTO "UsageDaily" ("userId", day, provider, model, requests, "promptTokens", "completionTokens", cost)
      SELECT "userId", (now() AT TIME ZONE 'UTC')::date, "usageProvider", "usageModel", count(*)::int,
             LEAST(sum("usagePromptTokens"), 2147483647)::int, LEAST(sum("usageCompletionTokens"), 2147483647)::int,
             sum("usageCost")
        FROM v WHERE "usageProvider" IS NOT NULL
       GROUP BY "userId", "usageProvider", "usageModel"
       ORDER BY "userId", "usageProvider", "usageModel"
      ON CONFLICT ("userId", day, provider, model) DO UPDATE
        SET requests = "UsageDaily".requests + excluded.requests,
            "promptTokens" = LEAST("UsageDaily"."promptTokens"::bigint + excluded."promptTokens", 2147483647)::int,
            "completionTokens" = LEAST("UsageDaily"."completionTokens"::bigint + excluded."completionTokens", 2147483647)::int,
            cost = "UsageDaily".cost + excluded.cost
    ),
    -- The same usage in its UTC quarter hour: /settings/usage sums these into the person's own days.
    slots AS (
      INSERT INTO "UsageSlot" ("userId", "slotStart", provider, model, requests, "promptTokens", "completionTokens", cost)
      SELECT "userId",
             date_trunc('hour', now() AT TIME ZONE 'UTC')
               + floor(extract(minute FROM now() AT TIME ZONE 'UTC') / 15) * interval '15 minutes',
             "usageProvider", "usageModel", count(*)::int,
             LEAST(sum("usagePromptTokens"), 2147483647)::int, LEAST(sum("usageCompletionTokens"), 2147483647)::int,
             sum("usageCost")
        FROM v WHERE "usageProvider" IS NOT NULL
       GROUP BY "userId", "usageProvider", "usageModel"
       ORDER BY "userId", "usageProvider", "usageModel"
      ON CONFLICT ("userId", "slotStart", provider, model) DO UPDATE
        SET requests = "UsageSlot".requests + excluded.requests,
            "promptTokens" = LEAST("UsageSlot"."promptTokens"::bigint + excluded."promptTokens", 2147483647)::int,
            "completionTokens" = LEAST("UsageSlot"."completionTokens"::bigint + excluded."completionTokens", 2147483647)::int,
            cost = "UsageSlot".cost + excluded.cost
    )
    SELECT id FROM finished`;
}

type Waiting = { reply: FinishedReply; resolve: (stored: boolean) => void; reject: (error: unknown) => void };
type Writer = { waiting: Map<string, Waiting>; writing: boolean };

// One writer per process, kept across `npm run dev`'s hot reloads.
const writer: Writer = remember("ares-finished-replies", () => ({
  waiting: new Map<string, Waiting>(),
  writing: false,
}));

/**
 * Stores a finished reply (see above); resolves false when its row is gone (its conversation was deleted
 * while it was written). With no write in flight it is written at once; otherwise with the others that
 * finished meanwhile, as soon as the write in flight has landed.
 */
export function storeFinishedReply(reply: FinishedReply): Promise<boolean> {
  return new Promise((resolve, reject) => {
    writer.waiting.set(reply.messageId, { reply, resolve, reject });
    if (!writer.writing) void writeWaiting();
  });
}

async function writeWaiting(): Promise<void> {
  writer.writing = true;
  try {
    while (writer.waiting.size > 0) {
      const batch = [...writer.waiting.values()];
      writer.waiting.clear();
      await write(batch);
    }
  } finally {
    writer.writing = false;
  }
}

/** Never rejects: each reply's outcome goes to its own caller. */
async function write(batch: Waiting[]): Promise<void> {
  let rows: FinishedReplyRow[];
  try {
    rows = await queryRows<FinishedReplyRow>(finishedRepliesSql(batch.map((entry) => entry.reply)));
  } catch (error) {
    if (batch.length === 1 || isDatabaseUnavailable(error)) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    // Something in one reply was refused: each on its own, so only that one fails.
    log.warn(
      { count: batch.length, error: describeError(error) },
      "finished replies refused together; storing each on its own",
    );
    for (const entry of batch) await write([entry]);
    return;
  }
  const stored = new Set(rows.map((row) => row.id));
  for (const entry of batch) entry.resolve(stored.has(entry.reply.messageId));
}
