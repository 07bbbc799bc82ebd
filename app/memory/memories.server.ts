import { prisma } from "~/db/db.server";
import { likeLiteral } from "~/db/like";
import { unlessGone } from "~/db/record-gone.server";
import { Prisma, type FactKind } from "~/generated/prisma/client";
import { normaliseMemoryKey } from "./keys";
import { containsPattern, redactSummary, searchTextOf } from "./redaction";

/** A memory that is not the person's (or no longer exists): routes answer 404, never "forbidden". */
export class MemoryNotFoundError extends Error {
  constructor() {
    super("memory not found");
  }
}

/**
 * Adding, or renaming to, a key I already have would replace that memory's value without my saying so:
 * refused unless I chose to replace it. Names the memory it would replace, for the page to show.
 */
export class MemoryKeyTakenError extends Error {
  constructor(readonly existing: { key: string; value: string }) {
    super("memory key taken");
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

/** A memory key as stored: the unique index and every lookup compare this form (keys.ts). */
export const normalisedKey = normaliseMemoryKey;

function withHistory(history: Prisma.JsonValue, entry: HistoryEntry): Prisma.InputJsonValue {
  return [...(Array.isArray(history) ? (history as HistoryEntry[]) : []), entry];
}

/** The stored history as a filter matching exactly it (a JSON null as one, not as a missing value). */
const sameHistory = (history: Prisma.JsonValue) => ({ equals: history === null ? Prisma.JsonNull : history });

/**
 * A save retried this often met another write each time: every retry means another request changed the
 * same fact in between, so reaching it takes a storm of writes to one key, not a bug of the loop.
 */
const MAX_SAVE_ATTEMPTS = 20;

class MemoryContentionError extends Error {
  constructor() {
    super(`a memory save met another write ${MAX_SAVE_ATTEMPTS} times in a row`);
    this.name = "MemoryContentionError";
  }
}

/**
 * One value per person, kind and key: saving a fact whose key exists replaces the value (a correction)
 * and keeps the old one in `history`, so a false fact never stands beside its correction.
 */
export async function saveFact(userId: string, input: FactInput, tx: Tx = prisma, attempt = 1): Promise<string> {
  if (attempt > MAX_SAVE_ATTEMPTS) throw new MemoryContentionError();
  const key = normalisedKey(input.key);
  const existing = await tx.memoryFact.findUnique({ where: { userId_kind_key: { userId, kind: input.kind, key } } });
  if (!existing) {
    const [created] = await tx.memoryFact.createManyAndReturn({
      data: {
        userId,
        kind: input.kind,
        key,
        value: input.value,
        confidence: input.confidence ?? 1,
        sourceMessageId: input.sourceMessageId ?? null,
      },
      select: { id: true },
      skipDuplicates: true,
    });
    if (created) return created.id;
    // The same key was saved meanwhile (a form sent twice at once): this one is a correction of it.
    return saveFact(userId, input, tx, attempt + 1);
  }
  if (existing.value === input.value) return existing.id;
  // Only if it is still as read above: a delete or another correction in between makes this a fresh
  // save (a new fact, or a correction of that one with its value in the history). The history is
  // compared too: corrections A→B→A meanwhile leave the value as read but add two entries this write
  // would otherwise drop.
  const { count } = await tx.memoryFact.updateMany({
    where: { id: existing.id, value: existing.value, history: sameHistory(existing.history) },
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
  return count === 1 ? existing.id : saveFact(userId, input, tx, attempt + 1);
}

export async function savePreference(
  userId: string,
  input: PreferenceInput,
  tx: Tx = prisma,
  attempt = 1,
): Promise<string> {
  if (attempt > MAX_SAVE_ATTEMPTS) throw new MemoryContentionError();
  const key = normalisedKey(input.key);
  const existing = await tx.memoryPreference.findUnique({ where: { userId_key: { userId, key } } });
  if (!existing) {
    const [created] = await tx.memoryPreference.createManyAndReturn({
      data: { userId, key, value: input.value, sourceMessageId: input.sourceMessageId ?? null },
      select: { id: true },
      skipDuplicates: true,
    });
    if (created) return created.id;
    // Saved meanwhile by another request (see saveFact).
    return savePreference(userId, input, tx, attempt + 1);
  }
  if (existing.value === input.value) return existing.id;
  // As in saveFact: only over the value and history read above.
  const { count } = await tx.memoryPreference.updateMany({
    where: { id: existing.id, value: existing.value, history: sameHistory(existing.history) },
    data: {
      value: input.value,
      sourceMessageId: input.sourceMessageId ?? existing.sourceMessageId,
      history: withHistory(existing.history, { value: existing.value, replacedAt: new Date().toISOString() }),
    },
  });
  return count === 1 ? existing.id : savePreference(userId, input, tx, attempt + 1);
}

/** Whether a person replaces a memory that has the key they typed, or is told about it (MemoryKeyTakenError). */
export type KeyClash = { replace: boolean };

async function refuseTakenFactKey(tx: Tx, userId: string, input: FactInput, clash: KeyClash) {
  if (clash.replace) return;
  const key = normalisedKey(input.key);
  const existing = await tx.memoryFact.findUnique({ where: { userId_kind_key: { userId, kind: input.kind, key } } });
  if (existing && existing.value !== input.value) throw new MemoryKeyTakenError(existing);
}

async function refuseTakenPreferenceKey(tx: Tx, userId: string, input: PreferenceInput, clash: KeyClash) {
  if (clash.replace) return;
  const existing = await tx.memoryPreference.findUnique({
    where: { userId_key: { userId, key: normalisedKey(input.key) } },
  });
  if (existing && existing.value !== input.value) throw new MemoryKeyTakenError(existing);
}

/** A fact I add by hand: one with a key I already have is refused unless I chose to replace it. */
export async function addFact(userId: string, input: FactInput, clash: KeyClash): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await refuseTakenFactKey(tx, userId, input, clash);
    await saveFact(userId, input, tx);
  });
}

/** A preference I add by hand (see addFact). */
export async function addPreference(userId: string, input: PreferenceInput, clash: KeyClash): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await refuseTakenPreferenceKey(tx, userId, input, clash);
    await savePreference(userId, input, tx);
  });
}

/**
 * Edits my fact. A new kind or key that another fact of mine has is refused (MemoryKeyTakenError) unless
 * I chose to replace that one: then it becomes a correction of it.
 */
export async function editFact(userId: string, id: string, input: FactInput, clash: KeyClash): Promise<void> {
  await unlessGone(
    () => onceMoreIfKeyTaken(() => editFactNow(userId, id, input, clash)),
    () => new MemoryNotFoundError(),
  );
}

/**
 * A fact renamed to its key's new form while another request saved that key (between the check and the
 * rename) fails on the unique index: tried once more, the edit finds that memory and takes the clash path
 * (refused as taken, or a correction of it), never a 500.
 */
async function onceMoreIfKeyTaken(edit: () => Promise<void>): Promise<void> {
  try {
    await edit();
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    await edit();
  }
}

async function editFactNow(userId: string, id: string, input: FactInput, clash: KeyClash): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const fact = await tx.memoryFact.findFirst({ where: { id, userId } });
    if (!fact) throw new MemoryNotFoundError();
    const key = normalisedKey(input.key);
    // A key stored before it took today's form (bad_key_✓) is the same key as its normal form: the fact
    // is edited in place and takes that form — unless another fact already has it, a real clash. The
    // start-up backfill (key-backfill.server.ts) renames such keys; this covers a row it has not reached.
    const sameKey =
      fact.kind === input.kind &&
      normalisedKey(fact.key) === key &&
      (fact.key === key ||
        !(await tx.memoryFact.findUnique({ where: { userId_kind_key: { userId, kind: fact.kind, key } } })));
    if (sameKey) {
      if (fact.key !== key) await tx.memoryFact.update({ where: { id }, data: { key } });
      await saveFact(userId, { ...input, sourceMessageId: fact.sourceMessageId }, tx);
      return;
    }
    await refuseTakenFactKey(tx, userId, input, clash);
    await tx.memoryFact.delete({ where: { id } });
    await saveFact(userId, { ...input, sourceMessageId: fact.sourceMessageId }, tx);
  });
}

export async function editPreference(
  userId: string,
  id: string,
  input: PreferenceInput,
  clash: KeyClash,
): Promise<void> {
  await unlessGone(
    () => onceMoreIfKeyTaken(() => editPreferenceNow(userId, id, input, clash)),
    () => new MemoryNotFoundError(),
  );
}

async function editPreferenceNow(userId: string, id: string, input: PreferenceInput, clash: KeyClash): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const preference = await tx.memoryPreference.findFirst({ where: { id, userId } });
    if (!preference) throw new MemoryNotFoundError();
    const key = normalisedKey(input.key);
    // As for facts: a key stored in an older form is the same key, taken to today's form in place.
    const sameKey =
      normalisedKey(preference.key) === key &&
      (preference.key === key || !(await tx.memoryPreference.findUnique({ where: { userId_key: { userId, key } } })));
    if (sameKey && preference.key !== key) await tx.memoryPreference.update({ where: { id }, data: { key } });
    if (!sameKey) {
      await refuseTakenPreferenceKey(tx, userId, input, clash);
      await tx.memoryPreference.delete({ where: { id } });
    }
    await savePreference(userId, { ...input, sourceMessageId: preference.sourceMessageId }, tx);
  });
}

/**
 * Deletes my fact or preference: later prompts no longer carry it, and neither do my summaries (the
 * value is redacted from their prose, topics and key facts).
 */
export async function deleteMemory(userId: string, type: "fact" | "preference", id: string): Promise<void> {
  await unlessGone(
    () => deleteMemoryNow(userId, type, id),
    () => new MemoryNotFoundError(),
  );
}

async function deleteMemoryNow(userId: string, type: "fact" | "preference", id: string): Promise<void> {
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

/**
 * Takes `value` (a deleted memory, a rejected proposal) out of my summaries: replaced in the prose, and
 * the topics and key facts that state it dropped — all of it reaches later prompts of other
 * conversations. Whole words only, so forgetting "no" leaves "Norway" and "knows" alone (ADR 008).
 */
export async function forgetInSummaries(tx: Tx, userId: string, value: string): Promise<void> {
  const candidates = await tx.$queryRaw<Array<{ id: string; summary: string; topics: string[]; keyFacts: string[] }>>`
    SELECT id, summary, topics, "keyFacts" FROM "ConversationSummary"
     WHERE "userId" = ${userId} AND "searchText" ILIKE ${containsPattern(value)}`;
  for (const candidate of candidates) {
    const { changed, ...redacted } = redactSummary(candidate, [value]);
    if (!changed) continue;
    await tx.conversationSummary.update({
      where: { id: candidate.id },
      data: { ...redacted, searchText: searchTextOf(redacted) },
    });
  }
}

/** My facts and preferences, optionally only those whose key or value contains `search`. */
export async function listMemories(userId: string, search?: string) {
  const text = search?.trim() ? likeLiteral(search.trim()) : undefined;
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
