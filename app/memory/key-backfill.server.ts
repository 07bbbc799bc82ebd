import { isWriteConflict } from "~/db/contention.server";
import { prisma } from "~/db/db.server";
import { Prisma } from "~/generated/prisma/client";
import type { FactKind, ProposalType } from "~/generated/prisma/enums";
import { defineStartupJob } from "~/jobs/startup.server";
import { logger } from "~/observability/logger.server";
import {
  MEMORY_KEY_FORM_VERSION,
  MEMORY_KEY_MAX,
  normaliseMemoryKey,
  storedMemoryKey,
  storedMemoryKeyWithin,
  UNNAMED_MEMORY_KEY,
} from "./keys";

const log = logger.child({ domain: "memory" });

/**
 * Takes every stored memory key to today's form (keys.ts): facts, preferences, the assistant's own notes
 * and proposals still waiting. Keys stored under an older rule (`home/city`, `bad_key_✓`) would
 * otherwise stand beside the same name saved today as a second memory, and lookups by key miss them.
 * SQL cannot apply the rule, so this reads the keys and rewrites those that differ, one row per
 * transaction. Two rows that become one key are merged: the more recently updated one stays, with the
 * other's value added to its history (as a correction would). A key over 80 characters is cut at a word
 * break (storedMemoryKey); if the cut is taken it becomes `<cut>_2`… (a different name that only begins
 * the same), not merged. Cut keys are renamed after all the others, so a key whose whole form is that cut
 * (`the_name/of…`) keeps it and the long one is numbered, never the two merged, whichever the scan reads
 * first (a cut stored by an earlier run looks like any other key, and is not told apart). Two long keys
 * of the same whole form (`a/long…`, `a long…`) are merged first, as short twins are. A key that
 * names nothing (only invisible marks) becomes "note", or "note_2"… when taken: it is a memory of its own,
 * merged with none (a waiting proposal with such a key is dropped). Idempotent, and safe beside requests
 * and other processes: each write is checked against what was read, and a row changed meanwhile is read
 * again. A waiting proposal whose whole key is a cut row's long key is renamed with it, to the same
 * `<cut>` or `<cut>_2`, so accepting it corrects that memory and not the one that kept the cut.
 *
 * Returns how many rows were renamed or merged away, or left for the next pass (a row whose key another
 * process changed meanwhile from cut to not cut, or back).
 */
export async function normaliseStoredMemoryKeys(signal?: AbortSignal): Promise<number> {
  let changed = 0;
  // Keys taken to their form whole go first, cut ones after: a key whose form is the same name has the
  // better claim to it than a longer one that only begins so, whichever the scan would read first.
  for (const cut of [false, true]) {
    for (const [table, normalise] of [
      ["fact", (id: string, twins: TwinIndex) => normaliseKey(FACTS, id, cut, twins)],
      ["preference", (id: string, twins: TwinIndex) => normaliseKey(PREFERENCES, id, cut, twins)],
      ["self", (id: string, twins: TwinIndex) => normaliseKey(SELF_MEMORY, id, cut, twins)],
      ["proposal", (id: string) => normaliseProposalKey(id)],
    ] as const) {
      // The cut phase reads all its rows before renaming any: a long key's twins (same whole form, so
      // long and in an old form too) are among them, found here once rather than by reading the row's
      // whole scope (all of a person's memories of its kind) again for each long key.
      const rows = rowsWithOldKeys(table, cut);
      const scanned = cut ? await allOf(rows) : null;
      const twins = scanned ? twinIndex(scanned) : new Map<string, string[]>();
      for await (const { id } of scanned ?? rows) {
        signal?.throwIfAborted();
        if (await withRetries(() => normalise(id, twins))) changed++;
      }
    }
  }
  if (changed > 0) log.info({ changed }, "memory keys taken to today's form");
  return changed;
}

/**
 * The backfill as a start-up job: it reads every key once per form of keys (MEMORY_KEY_FORM_VERSION), and
 * later starts skip it. Keys written since are in today's form already (memories.server.ts).
 */
export const normaliseMemoryKeysJob = defineStartupJob({
  name: "memory.normalise-keys",
  version: MEMORY_KEY_FORM_VERSION,
  timeoutSeconds: 600,
  async run(context) {
    // The marker is recorded only once a whole pass finds nothing left to change: rows written in an
    // old form during a pass (an older process still running) are read by the next.
    for (let pass = 1; (await normaliseStoredMemoryKeys(context.signal)) > 0; pass++) {
      if (pass >= 5) throw new Error("memory keys still changing after 5 passes; the job is retried");
    }
  },
});

/** A key that names nothing is not in its stored form: it is named "note" (or "note_2"…). */
const inStoredForm = (key: string) => key !== "" && storedMemoryKey(key) === key;

/** A key whose stored form is shorter than its whole form: the name it is stored under only begins it. */
function isCut(key: string): boolean {
  const stored = storedMemoryKey(key);
  return stored !== "" && stored !== normaliseMemoryKey(key);
}

type Table = "fact" | "preference" | "self" | "proposal";
const PAGE = 500;

/**
 * The rows whose key is not in today's form and is (or is not) cut, read a page at a time (the keys are
 * small). Paged by id greater than the last one read, not by Prisma's cursor: that row may have been
 * merged away (deleted) meanwhile, and a cursor on a missing row reads an empty page, ending the scan early.
 */
async function* rowsWithOldKeys(table: Table, cut: boolean): AsyncGenerator<{ id: string; key: string }> {
  let cursor: string | undefined;
  for (;;) {
    const page = await readPage(table, cursor);
    for (const row of page) if (!inStoredForm(row.key) && isCut(row.key) === cut) yield row;
    if (page.length < PAGE) return;
    cursor = page[page.length - 1]!.id;
  }
}

function readPage(table: Table, cursor: string | undefined): Promise<Array<{ id: string; key: string }>> {
  const query = {
    select: { id: true, key: true },
    orderBy: { id: "asc" as const },
    take: PAGE,
  };
  const after = cursor ? { id: { gt: cursor } } : {};
  switch (table) {
    case "fact":
      return prisma.memoryFact.findMany({ ...query, where: after });
    case "preference":
      return prisma.memoryPreference.findMany({ ...query, where: after });
    case "self":
      return prisma.assistantMemory.findMany({ ...query, where: after });
    case "proposal":
      return prisma.memoryProposal.findMany({ ...query, where: { ...after, status: "proposed" } });
  }
}

async function allOf<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The ids of the cut phase's rows by their whole form: a long key's twin candidates (any scope). */
type TwinIndex = ReadonlyMap<string, readonly string[]>;

function twinIndex(rows: ReadonlyArray<{ id: string; key: string }>): TwinIndex {
  const index = new Map<string, string[]>();
  for (const row of rows) {
    const whole = normaliseMemoryKey(row.key);
    index.set(whole, [...(index.get(whole) ?? []), row.id]);
  }
  return index;
}

/** A row changed between this pass's read and its write: read again. */
class ChangedMeanwhile extends Error {}

/**
 * Another write got in first (a changed row, the same key inserted meanwhile, or a deadlock or write
 * conflict with a request writing the same rows): tried again, a few times.
 */
async function withRetries(write: () => Promise<boolean>): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const raced =
        error instanceof ChangedMeanwhile ||
        (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") ||
        isWriteConflict(error);
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

type Tx = Prisma.TransactionClient;
/** What the writes below check is still as read: a row changed meanwhile matches nothing. */
type Guard = { id: string; key: string; value: string; updatedAt?: Date; history?: ReturnType<typeof sameHistory> };
type Keyed = { id: string; key: string; value: string; updatedAt: Date };

/** What differs between the tables whose key is unique: the rows, and who else may hold a key. */
type KeyedTable<Row extends Keyed> = {
  find(tx: Tx, id: string): Promise<Row | null>;
  /** The row that holds `key` in the same scope as `row` (the same person and kind, or category). */
  holder(tx: Tx, row: Row, key: string): Promise<Row | null>;
  update(
    tx: Tx,
    where: Guard,
    data: { key: string; updatedAt: Date; history?: Prisma.InputJsonValue },
  ): Promise<number>;
  remove(tx: Tx, where: Guard): Promise<number>;
  /** Every row in `row`'s scope (the same person and kind, or category): to find a long key's twins. */
  scope(tx: Tx, row: Row): Promise<Row[]>;
  /** The rows of `ids` in `row`'s scope, by id. */
  inScope(tx: Tx, row: Row, ids: readonly string[]): Promise<Row[]>;
  /** The waiting proposals that would change `row` (the same person, and kind): facts and preferences. */
  proposals: ((tx: Tx, row: Row) => Promise<Array<{ id: string; key: string }>>) | null;
  /**
   * How a row is known unchanged, and how two rows become one: with history, the replaced value joins
   * it; the assistant's notes have none, and the replaced one is dropped.
   */
  history: ((row: Row) => Prisma.JsonValue) | null;
};

// A scope's twins are merged, and so locked, in the order of their ids, not whatever order the table gives:
// fewer deadlocks between passes at once. One left (two passes starting from different twins) is retried.
const BY_ID = { id: "asc" } as const;

type FactRow = Prisma.MemoryFactGetPayload<object>;
const FACTS: KeyedTable<FactRow> = {
  find: (tx, id) => tx.memoryFact.findUnique({ where: { id } }),
  holder: (tx, row, key) =>
    tx.memoryFact.findUnique({ where: { userId_kind_key: { userId: row.userId, kind: row.kind, key } } }),
  update: async (tx, where, data) => (await tx.memoryFact.updateMany({ where, data })).count,
  remove: async (tx, where) => (await tx.memoryFact.deleteMany({ where })).count,
  scope: (tx, row) => tx.memoryFact.findMany({ where: { userId: row.userId, kind: row.kind }, orderBy: BY_ID }),
  inScope: (tx, row, ids) =>
    tx.memoryFact.findMany({ where: { id: { in: [...ids] }, userId: row.userId, kind: row.kind }, orderBy: BY_ID }),
  proposals: (tx, row) =>
    tx.memoryProposal.findMany({
      where: { userId: row.userId, type: "fact", kind: row.kind, status: "proposed" },
      select: { id: true, key: true },
    }),
  history: (row) => row.history,
};

type PreferenceRow = Prisma.MemoryPreferenceGetPayload<object>;
const PREFERENCES: KeyedTable<PreferenceRow> = {
  find: (tx, id) => tx.memoryPreference.findUnique({ where: { id } }),
  holder: (tx, row, key) => tx.memoryPreference.findUnique({ where: { userId_key: { userId: row.userId, key } } }),
  update: async (tx, where, data) => (await tx.memoryPreference.updateMany({ where, data })).count,
  remove: async (tx, where) => (await tx.memoryPreference.deleteMany({ where })).count,
  scope: (tx, row) => tx.memoryPreference.findMany({ where: { userId: row.userId }, orderBy: BY_ID }),
  inScope: (tx, row, ids) =>
    tx.memoryPreference.findMany({ where: { id: { in: [...ids] }, userId: row.userId }, orderBy: BY_ID }),
  proposals: (tx, row) =>
    tx.memoryProposal.findMany({
      where: { userId: row.userId, type: "preference", status: "proposed" },
      select: { id: true, key: true },
    }),
  history: (row) => row.history,
};

type SelfMemoryRow = Prisma.AssistantMemoryGetPayload<object>;
const SELF_MEMORY: KeyedTable<SelfMemoryRow> = {
  find: (tx, id) => tx.assistantMemory.findUnique({ where: { id } }),
  holder: (tx, row, key) => tx.assistantMemory.findUnique({ where: { category_key: { category: row.category, key } } }),
  update: async (tx, where, data) => (await tx.assistantMemory.updateMany({ where, data })).count,
  remove: async (tx, where) => (await tx.assistantMemory.deleteMany({ where })).count,
  scope: (tx, row) => tx.assistantMemory.findMany({ where: { category: row.category }, orderBy: BY_ID }),
  inScope: (tx, row, ids) =>
    tx.assistantMemory.findMany({ where: { id: { in: [...ids] }, category: row.category }, orderBy: BY_ID }),
  proposals: null,
  history: null,
};

/** The first of "note", "note_2", "note_3"… that no row in `row`'s scope holds. */
async function unnamedKey<Row extends Keyed>(table: KeyedTable<Row>, tx: Tx, row: Row): Promise<string> {
  for (let n = 1; ; n++) {
    const key = n === 1 ? UNNAMED_MEMORY_KEY : `${UNNAMED_MEMORY_KEY}_${n}`;
    if (!(await table.holder(tx, row, key))) return key;
  }
}

/**
 * The first of `<cut>_2`, `<cut>_3`… (each within MEMORY_KEY_MAX) that no row in `row`'s scope holds: for a
 * key that was cut and whose cut form is taken. Two long keys that share their first 80 characters are
 * two memories, and merging them would lose one's value.
 */
async function cutKeyWithSuffix<Row extends Keyed>(table: KeyedTable<Row>, tx: Tx, row: Row): Promise<string> {
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const key = storedMemoryKeyWithin(row.key, MEMORY_KEY_MAX - suffix.length) + suffix;
    if (!(await table.holder(tx, row, key))) return key;
  }
}

/**
 * Takes one row's key to its stored form, merging it with the row that already holds that key, unless
 * they meet only because this one was cut: then it takes a free `_2`, `_3`… of the cut. `cut`: the phase
 * the scan read the row in; a row whose key now belongs to the other phase is left for it, or for the next
 * pass (counted as changed, so that there is one), never renamed out of turn.
 */
async function normaliseKey<Row extends Keyed>(
  table: KeyedTable<Row>,
  id: string,
  cut: boolean,
  twins: TwinIndex,
): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const found = await table.find(tx, id);
    if (!found || inStoredForm(found.key)) return false;
    if (isCut(found.key) !== cut) return true;
    const row = cut ? await mergeLongTwins(table, tx, found, twins) : found;
    const stored = storedMemoryKey(row.key);
    let key = stored === "" ? await unnamedKey(table, tx, row) : stored;
    if (isCut(row.key) && (await table.holder(tx, row, key))) key = await cutKeyWithSuffix(table, tx, row);
    const other = await table.holder(tx, row, key);
    if (!other) {
      // Renamed only: the memory itself is as it was, and so is when it last changed.
      const count = await table.update(tx, guardOf(table, row), { key, updatedAt: row.updatedAt });
      if (count !== 1) throw new ChangedMeanwhile();
      if (cut) await renameProposals(table, tx, row, key);
      return true;
    }
    await mergeRows(table, tx, row, other, key);
    return true;
  });
}

/**
 * A row as read: its key too, so that a rename meanwhile (another request, an older process) is a change,
 * not undone by a merge writing its key over it.
 */
const guardOf = <Row extends Keyed>(table: KeyedTable<Row>, of: Row): Guard =>
  table.history
    ? { id: of.id, key: of.key, value: of.value, history: sameHistory(table.history(of)) }
    : { id: of.id, key: of.key, value: of.value, updatedAt: of.updatedAt };

/** Two rows become one under `key`: the newer stays, the other's value joins its history. Returns the kept. */
async function mergeRows<Row extends Keyed>(table: KeyedTable<Row>, tx: Tx, a: Row, b: Row, key: string) {
  const [kept, replaced] = newerFirst(a, b);
  const removed = await table.remove(tx, guardOf(table, replaced));
  const history = table.history
    ? mergedHistory(
        { ...kept, history: table.history(kept) },
        { ...replaced, history: table.history(replaced), confidence: confidenceOf(replaced) },
      )
    : undefined;
  const updated = await table.update(tx, guardOf(table, kept), { key, updatedAt: kept.updatedAt, history });
  if (removed !== 1 || updated !== 1) throw new ChangedMeanwhile();
  if (!table.history) log.info({ key, dropped: replaced.id }, "assistant memory merged into its twin");
  return kept;
}

/**
 * A long key's twins, other rows not yet renamed whose whole form is the same (`a/very long…`, `a very
 * long…`), are one memory, as short twins are: merged before the cut is named, under the kept row's key,
 * rather than taking `<cut>` and `<cut>_2`. Returns the row that stays, as it is now. The candidates are
 * the pass's rows of that whole form (`twins`), read again here; a row whose key changed since the pass
 * read it has its twins' ids unknown, and its scope is read whole, as before.
 */
async function mergeLongTwins<Row extends Keyed>(
  table: KeyedTable<Row>,
  tx: Tx,
  row: Row,
  twins: TwinIndex,
): Promise<Row> {
  const whole = normaliseMemoryKey(row.key);
  const candidates = twins.get(whole)?.filter((id) => id !== row.id);
  if (candidates?.length === 0) return row;
  let current = row;
  for (const twin of await (candidates ? table.inScope(tx, row, candidates) : table.scope(tx, row))) {
    if (twin.id === row.id || inStoredForm(twin.key) || normaliseMemoryKey(twin.key) !== whole) continue;
    const kept = await mergeRows(table, tx, current, twin, newerFirst(current, twin)[0].key);
    const now = await table.find(tx, kept.id);
    if (!now) throw new ChangedMeanwhile();
    current = now;
  }
  return current;
}

/**
 * A cut row's waiting proposals (their whole key is its long key) take the name it was given: proposals are
 * renamed after all memories, to the plain cut, which the row may not have got (`<cut>_2`).
 */
async function renameProposals<Row extends Keyed>(table: KeyedTable<Row>, tx: Tx, row: Row, key: string) {
  if (!table.proposals) return;
  const whole = normaliseMemoryKey(row.key);
  for (const proposal of await table.proposals(tx, row)) {
    if (proposal.key === key || normaliseMemoryKey(proposal.key) !== whole) continue;
    await tx.memoryProposal.updateMany({
      where: { id: proposal.id, key: proposal.key, status: "proposed" },
      data: { key },
    });
  }
}

const confidenceOf = (row: Keyed): number | undefined =>
  "confidence" in row && typeof row.confidence === "number" ? row.confidence : undefined;

/**
 * Proposals have no unique key: a waiting one is renamed, so its review finds the memory it would replace.
 * One whose key names nothing is dropped, as the model's new ones are (proposals.server.ts): named plain
 * "note", accepting it would replace the person's own "note". A long key still waiting here names no
 * memory (a memory of the same whole key renamed its proposals with it, renameProposals): if its cut is
 * another memory's name, it takes the first `<cut>_2`, `<cut>_3`… no memory holds, as a memory's long key
 * does (cutKeyWithSuffix). Under the plain cut its review said it would replace that other memory, and
 * accepting it wrote its value over that memory's.
 */
async function normaliseProposalKey(id: string): Promise<boolean> {
  const row = await prisma.memoryProposal.findUnique({
    where: { id },
    select: { key: true, userId: true, type: true, kind: true },
  });
  if (!row || inStoredForm(row.key)) return false;
  let key = storedMemoryKey(row.key);
  if (key === "") {
    const { count } = await prisma.memoryProposal.deleteMany({ where: { id, key: row.key, status: "proposed" } });
    return count === 1;
  }
  if (isCut(row.key)) {
    for (let n = 2; await memoryHolds(row, key); n++) {
      const suffix = `_${n}`;
      key = storedMemoryKeyWithin(row.key, MEMORY_KEY_MAX - suffix.length) + suffix;
    }
  }
  const { count } = await prisma.memoryProposal.updateMany({
    where: { id, key: row.key, status: "proposed" },
    data: { key },
  });
  return count === 1;
}

/** Whether a memory that accepting the proposal would correct holds `key`: the same person, and kind for a fact. */
async function memoryHolds(
  proposal: { userId: string; type: ProposalType; kind: FactKind | null },
  key: string,
): Promise<boolean> {
  const { userId } = proposal;
  const held =
    proposal.type === "fact"
      ? await prisma.memoryFact.findUnique({
          where: { userId_kind_key: { userId, kind: proposal.kind ?? "personal", key } },
          select: { id: true },
        })
      : await prisma.memoryPreference.findUnique({ where: { userId_key: { userId, key } }, select: { id: true } });
  return held !== null;
}
