import { prisma } from "~/db/db.server";
import { type Prisma, type FactKind } from "~/generated/prisma/client";

/** A memory that is not the person's (or no longer exists): routes answer 404, never "forbidden". */
export class MemoryNotFoundError extends Error {
  constructor() {
    super("memory not found");
  }
}

type Tx = Prisma.TransactionClient;
type HistoryEntry = { value: string; confidence?: number; replacedAt: string };

export type FactInput = {
  kind: FactKind;
  key: string;
  value: string;
  confidence?: number;
  sourceMessageId?: string | null;
};
export type PreferenceInput = { key: string; value: string; sourceMessageId?: string | null };

const normalisedKey = (key: string) => key.trim().toLowerCase().replace(/\s+/g, "_");

function withHistory(history: Prisma.JsonValue, entry: HistoryEntry): Prisma.InputJsonValue {
  return [...(Array.isArray(history) ? (history as HistoryEntry[]) : []), entry];
}

/**
 * One value per person, kind and key: saving a fact whose key exists replaces the value (a correction)
 * and keeps the old one in `history`, so a false fact never stands beside its correction.
 */
export async function saveFact(userId: string, input: FactInput, tx: Tx = prisma): Promise<string> {
  const key = normalisedKey(input.key);
  const existing = await tx.memoryFact.findUnique({ where: { userId_kind_key: { userId, kind: input.kind, key } } });
  if (!existing) {
    const created = await tx.memoryFact.create({
      data: {
        userId,
        kind: input.kind,
        key,
        value: input.value,
        confidence: input.confidence ?? 1,
        sourceMessageId: input.sourceMessageId ?? null,
      },
    });
    return created.id;
  }
  if (existing.value === input.value) return existing.id;
  await tx.memoryFact.update({
    where: { id: existing.id },
    data: {
      value: input.value,
      confidence: input.confidence ?? 1,
      sourceMessageId: input.sourceMessageId ?? existing.sourceMessageId,
      history: withHistory(existing.history, {
        value: existing.value,
        confidence: existing.confidence,
        replacedAt: new Date().toISOString(),
      }),
    },
  });
  return existing.id;
}

export async function savePreference(userId: string, input: PreferenceInput, tx: Tx = prisma): Promise<string> {
  const key = normalisedKey(input.key);
  const existing = await tx.memoryPreference.findUnique({ where: { userId_key: { userId, key } } });
  if (!existing) {
    const created = await tx.memoryPreference.create({
      data: { userId, key, value: input.value, sourceMessageId: input.sourceMessageId ?? null },
    });
    return created.id;
  }
  if (existing.value === input.value) return existing.id;
  await tx.memoryPreference.update({
    where: { id: existing.id },
    data: {
      value: input.value,
      sourceMessageId: input.sourceMessageId ?? existing.sourceMessageId,
      history: withHistory(existing.history, { value: existing.value, replacedAt: new Date().toISOString() }),
    },
  });
  return existing.id;
}

/** Edits my fact; a new kind or key that I already have becomes a correction of that one. */
export async function editFact(userId: string, id: string, input: FactInput): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const fact = await tx.memoryFact.findFirst({ where: { id, userId } });
    if (!fact) throw new MemoryNotFoundError();
    if (fact.kind === input.kind && fact.key === normalisedKey(input.key)) {
      await saveFact(userId, { ...input, sourceMessageId: fact.sourceMessageId }, tx);
      return;
    }
    await tx.memoryFact.delete({ where: { id } });
    await saveFact(userId, { ...input, sourceMessageId: fact.sourceMessageId }, tx);
  });
}

export async function editPreference(userId: string, id: string, input: PreferenceInput): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const preference = await tx.memoryPreference.findFirst({ where: { id, userId } });
    if (!preference) throw new MemoryNotFoundError();
    if (preference.key !== normalisedKey(input.key)) await tx.memoryPreference.delete({ where: { id } });
    await savePreference(userId, { ...input, sourceMessageId: preference.sourceMessageId }, tx);
  });
}

/**
 * Deletes my fact or preference: later prompts no longer carry it, and neither do my summaries' key
 * facts (any key fact that states the value is removed with it).
 */
export async function deleteMemory(userId: string, type: "fact" | "preference", id: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const row =
      type === "fact"
        ? await tx.memoryFact.findFirst({ where: { id, userId }, select: { value: true } })
        : await tx.memoryPreference.findFirst({ where: { id, userId }, select: { value: true } });
    if (!row) throw new MemoryNotFoundError();
    if (type === "fact") await tx.memoryFact.delete({ where: { id } });
    else await tx.memoryPreference.delete({ where: { id } });
    await forgetInSummaries(tx, userId, row.value);
  });
}

/** Removes every summary key fact that states `value` (a deleted memory, a rejected proposal). */
export async function forgetInSummaries(tx: Tx, userId: string, value: string): Promise<void> {
  const pattern = `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  await tx.$executeRaw`
    UPDATE "ConversationSummary" s
       SET "keyFacts" = kept.facts,
           "searchText" = concat_ws(' ', s.summary, array_to_string(s.topics, ' '), array_to_string(kept.facts, ' '))
      FROM (SELECT id, coalesce(array_agg(k) FILTER (WHERE k NOT ILIKE ${pattern}), '{}') AS facts
              FROM "ConversationSummary", unnest("keyFacts") AS k
             WHERE "userId" = ${userId} GROUP BY id) kept
     WHERE s.id = kept.id AND s."userId" = ${userId}
       AND EXISTS (SELECT 1 FROM unnest(s."keyFacts") k WHERE k ILIKE ${pattern})`;
}

/** My facts and preferences, optionally only those whose key or value contains `search`. */
export async function listMemories(userId: string, search?: string) {
  const text = search?.trim();
  const matches = text
    ? {
        OR: [
          { key: { contains: text, mode: "insensitive" as const } },
          { value: { contains: text, mode: "insensitive" as const } },
        ],
      }
    : {};
  const [facts, preferences] = await Promise.all([
    prisma.memoryFact.findMany({
      where: { userId, ...matches },
      orderBy: [{ kind: "asc" }, { key: "asc" }],
      select: {
        id: true,
        kind: true,
        key: true,
        value: true,
        confidence: true,
        history: true,
        sourceMessageId: true,
        sourceMessage: { select: { conversationId: true } },
        updatedAt: true,
      },
    }),
    prisma.memoryPreference.findMany({
      where: { userId, ...matches },
      orderBy: { key: "asc" },
      select: {
        id: true,
        key: true,
        value: true,
        history: true,
        sourceMessageId: true,
        sourceMessage: { select: { conversationId: true } },
        updatedAt: true,
      },
    }),
  ]);
  return { facts, preferences };
}

/** "Forget everything": my facts, preferences, proposals, summaries and the stored prompts that quote them. */
export async function forgetEverything(userId: string): Promise<void> {
  await prisma.$transaction([
    prisma.memoryFact.deleteMany({ where: { userId } }),
    prisma.memoryPreference.deleteMany({ where: { userId } }),
    prisma.memoryProposal.deleteMany({ where: { userId } }),
    prisma.conversationSummary.deleteMany({ where: { userId } }),
    prisma.replyPrompt.deleteMany({ where: { userId } }),
  ]);
}
