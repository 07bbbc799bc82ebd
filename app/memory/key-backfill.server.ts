import { z } from "zod";
import { prisma } from "~/db/db.server";
import { Prisma } from "~/generated/prisma/client";
import { defineJob } from "~/jobs/define.server";
import { logger } from "~/observability/logger.server";
import { normaliseMemoryKey } from "./keys";

const log = logger.child({ domain: "memory" });

/**
 * Takes every stored memory key to today's form (keys.ts): facts, preferences, the assistant's own notes
 * and proposals still waiting. Keys stored under an older rule (`home/city`, `bad_key_✓`) would
 * otherwise stand beside the same name saved today as a second memory, and lookups by key miss them.
 * SQL cannot apply the rule, so this reads the keys and rewrites those that differ, one row per
 * transaction. Two rows that become one key are merged: the more recently updated one stays, with the
 * other's value added to its history (as a correction would). Idempotent, and safe beside requests and
 * other processes: each write is checked against what was read, and a row changed meanwhile is read
 * again. A key that would become empty (only invisible characters) is left as it is: it names nothing
 * to merge with, and its owner can still rename it.
 *
 * Returns how many rows were renamed or merged away.
 */
export async function normaliseStoredMemoryKeys(signal?: AbortSignal): Promise<number> {
  let changed = 0;
  for (const [table, normalise] of [
    ["fact", normaliseFactKey],
    ["preference", normalisePreferenceKey],
    ["self", normaliseSelfMemoryKey],
    ["proposal", normaliseProposalKey],
  ] as const) {
    for await (const id of idsWithOldKeys(table)) {
      signal?.throwIfAborted();
      if (await withRetries(() => normalise(id))) changed++;
    }
  }
  if (changed > 0) log.info({ changed }, "memory keys taken to today's form");
  return changed;
}

/**
 * The backfill as a job, sent once each time ARES starts (worker.server.ts): the dedup key keeps processes
 * started together to one run at a time, and a run that finds every key in today's form changes nothing.
 */
export const normaliseMemoryKeysJob = defineJob({
  name: "memory.normalise-keys",
  payload: z.object({}),
  retry: { limit: 3, delaySeconds: 60, maxDelaySeconds: 900 },
  timeoutSeconds: 600,
  singletonKey: () => "memory.normalise-keys",
  async handler(_payload, context) {
    await normaliseStoredMemoryKeys(context.signal);
  },
});

type Table = "fact" | "preference" | "self" | "proposal";
const PAGE = 500;

/** The ids of rows whose key is not in today's form, read a page at a time (the keys are small). */
async function* idsWithOldKeys(table: Table): AsyncGenerator<string> {
  let cursor: string | undefined;
  for (;;) {
    const page = await readPage(table, cursor);
    for (const row of page) if (normaliseMemoryKey(row.key) !== row.key) yield row.id;
    if (page.length < PAGE) return;
    cursor = page[page.length - 1]!.id;
  }
}

function readPage(table: Table, cursor: string | undefined): Promise<Array<{ id: string; key: string }>> {
  const query = {
    select: { id: true, key: true },
    orderBy: { id: "asc" as const },
    take: PAGE,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  };
  switch (table) {
    case "fact":
      return prisma.memoryFact.findMany(query);
    case "preference":
      return prisma.memoryPreference.findMany(query);
    case "self":
      return prisma.assistantMemory.findMany(query);
    case "proposal":
      return prisma.memoryProposal.findMany({ ...query, where: { status: "proposed" } });
  }
}

/** A row changed between this pass's read and its write: read again. */
class ChangedMeanwhile extends Error {}

/** Another write got in first (a changed row, or the same key inserted meanwhile): tried again, a few times. */
async function withRetries(write: () => Promise<boolean>): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const raced =
        error instanceof ChangedMeanwhile ||
        (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002");
      if (!raced || attempt >= 5) throw error;
    }
  }
}

type HistoryEntry = { value: string; confidence?: number; replacedAt: string };
const entries = (history: Prisma.JsonValue) => (Array.isArray(history) ? (history as HistoryEntry[]) : []);
const sameHistory = (history: Prisma.JsonValue) => ({ equals: history === null ? Prisma.JsonNull : history });

/** Both rows' earlier values, and the replaced row's own value unless it equals the kept one, oldest first. */
function mergedHistory(
  kept: { value: string; history: Prisma.JsonValue; updatedAt: Date },
  replaced: { value: string; confidence?: number; history: Prisma.JsonValue },
): Prisma.InputJsonValue {
  const own: HistoryEntry[] =
    replaced.value === kept.value
      ? []
      : [{ value: replaced.value, confidence: replaced.confidence, replacedAt: kept.updatedAt.toISOString() }];
  return [...entries(replaced.history), ...entries(kept.history), ...own].sort((a, b) =>
    a.replacedAt.localeCompare(b.replacedAt),
  );
}

const newerFirst = <Row extends { id: string; updatedAt: Date }>(a: Row, b: Row): [Row, Row] =>
  a.updatedAt.getTime() >= b.updatedAt.getTime() ? [a, b] : [b, a];

async function normaliseFactKey(id: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const row = await tx.memoryFact.findUnique({ where: { id } });
    const key = row ? normaliseMemoryKey(row.key) : "";
    if (!row || key === row.key || key === "") return false;
    const other = await tx.memoryFact.findUnique({
      where: { userId_kind_key: { userId: row.userId, kind: row.kind, key } },
    });
    if (!other) {
      // Renamed only: the memory itself is as it was, and so is when it last changed.
      const { count } = await tx.memoryFact.updateMany({
        where: { id, key: row.key },
        data: { key, updatedAt: row.updatedAt },
      });
      if (count !== 1) throw new ChangedMeanwhile();
      return true;
    }
    const [kept, replaced] = newerFirst(row, other);
    const removed = await tx.memoryFact.deleteMany({
      where: { id: replaced.id, value: replaced.value, history: sameHistory(replaced.history) },
    });
    const updated = await tx.memoryFact.updateMany({
      where: { id: kept.id, value: kept.value, history: sameHistory(kept.history) },
      data: { key, history: mergedHistory(kept, replaced), updatedAt: kept.updatedAt },
    });
    if (removed.count !== 1 || updated.count !== 1) throw new ChangedMeanwhile();
    return true;
  });
}

async function normalisePreferenceKey(id: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const row = await tx.memoryPreference.findUnique({ where: { id } });
    const key = row ? normaliseMemoryKey(row.key) : "";
    if (!row || key === row.key || key === "") return false;
    const other = await tx.memoryPreference.findUnique({ where: { userId_key: { userId: row.userId, key } } });
    if (!other) {
      const { count } = await tx.memoryPreference.updateMany({
        where: { id, key: row.key },
        data: { key, updatedAt: row.updatedAt },
      });
      if (count !== 1) throw new ChangedMeanwhile();
      return true;
    }
    const [kept, replaced] = newerFirst(row, other);
    const removed = await tx.memoryPreference.deleteMany({
      where: { id: replaced.id, value: replaced.value, history: sameHistory(replaced.history) },
    });
    const updated = await tx.memoryPreference.updateMany({
      where: { id: kept.id, value: kept.value, history: sameHistory(kept.history) },
      data: { key, history: mergedHistory(kept, replaced), updatedAt: kept.updatedAt },
    });
    if (removed.count !== 1 || updated.count !== 1) throw new ChangedMeanwhile();
    return true;
  });
}

/** The assistant's notes have no history: of two that become one key, the more recently updated stays. */
async function normaliseSelfMemoryKey(id: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const row = await tx.assistantMemory.findUnique({ where: { id } });
    const key = row ? normaliseMemoryKey(row.key) : "";
    if (!row || key === row.key || key === "") return false;
    const other = await tx.assistantMemory.findUnique({ where: { category_key: { category: row.category, key } } });
    const [kept, replaced] = other ? newerFirst(row, other) : [row, undefined];
    if (replaced) {
      const { count } = await tx.assistantMemory.deleteMany({
        where: { id: replaced.id, value: replaced.value, updatedAt: replaced.updatedAt },
      });
      if (count !== 1) throw new ChangedMeanwhile();
      log.info({ category: row.category, key, dropped: replaced.id }, "assistant memory merged into its twin");
    }
    const { count } = await tx.assistantMemory.updateMany({
      where: { id: kept.id, value: kept.value, updatedAt: kept.updatedAt },
      data: { key, updatedAt: kept.updatedAt },
    });
    if (count !== 1) throw new ChangedMeanwhile();
    return true;
  });
}

/** Proposals have no unique key: a waiting one is renamed, so its review finds the memory it would replace. */
async function normaliseProposalKey(id: string): Promise<boolean> {
  const row = await prisma.memoryProposal.findUnique({ where: { id }, select: { key: true } });
  const key = row ? normaliseMemoryKey(row.key) : "";
  if (!row || key === row.key || key === "") return false;
  const { count } = await prisma.memoryProposal.updateMany({
    where: { id, key: row.key, status: "proposed" },
    data: { key },
  });
  return count === 1;
}
