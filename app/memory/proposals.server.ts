import { prisma } from "~/db/db.server";
import type { FactKind, Prisma, ProposalType } from "~/generated/prisma/client";
import { forgetInSummaries, MemoryNotFoundError, normalisedKey, saveFact, savePreference } from "./memories.server";
import { MEMORY_KEY_MAX } from "./schemas";
import type { InstanceMemorySettings } from "./settings.server";

export type Candidate = {
  type: ProposalType;
  kind: FactKind | null;
  key: string;
  value: string;
  confidence: number;
  importance: number;
  sourceMessageId: string | null;
};

const normalise = (text: string) => text.trim().toLowerCase().replace(/\s+/g, " ");
/**
 * Files the model's candidates: one that restates a memory I have, a proposal still waiting or one I
 * rejected (same type, kind, key and value: a rejection stands) is dropped; the rest wait in my review queue, unless I turned auto-accept on and the candidate clears
 * both of the instance's thresholds. Returns how many were queued and accepted.
 */
export async function fileProposals(
  userId: string,
  conversationId: string,
  candidates: Candidate[],
  thresholds: Pick<InstanceMemorySettings, "autoAcceptMinConfidence" | "autoAcceptMinImportance">,
): Promise<{ queued: number; accepted: number; dropped: number }> {
  const [facts, preferences, decided, person] = await Promise.all([
    prisma.memoryFact.findMany({ where: { userId }, select: { kind: true, key: true, value: true } }),
    prisma.memoryPreference.findMany({ where: { userId }, select: { key: true, value: true } }),
    prisma.memoryProposal.findMany({
      where: { userId, status: { in: ["proposed", "rejected"] } },
      select: { type: true, kind: true, key: true, value: true, status: true },
    }),
    prisma.chatSettings.findUnique({ where: { userId }, select: { memoryAutoAccept: true } }),
  ]);
  const known = new Set([
    ...facts.flatMap((fact) => [
      // Stored keys are compared in today's form: one saved before it took that form still matches.
      `fact:${fact.kind}:${normalisedKey(fact.key)}:${normalise(fact.value)}`,
      `value:${normalise(fact.value)}`,
    ]),
    ...preferences.flatMap((p) => [
      `preference::${normalisedKey(p.key)}:${normalise(p.value)}`,
      `value:${normalise(p.value)}`,
    ]),
    ...decided.map((p) =>
      p.status === "proposed"
        ? `pending:${p.type}:${normalisedKey(p.key)}:${normalise(p.value)}`
        : `rejected:${p.type}:${p.kind ?? ""}:${normalisedKey(p.key)}:${normalise(p.value)}`,
    ),
  ]);
  let queued = 0;
  let accepted = 0;
  let dropped = 0;
  for (const candidate of candidates) {
    // The model's key takes the same form as a key typed by hand (keys.ts); one of nothing but invisible
    // marks names nothing, and one longer than a person may type could never be edited: both dropped.
    const key = normalisedKey(candidate.key);
    if (key === "" || key.length > MEMORY_KEY_MAX) {
      dropped++;
      continue;
    }
    const kind = candidate.type === "fact" ? (candidate.kind ?? "personal") : null;
    const signatures = [
      `${candidate.type}:${kind ?? ""}:${key}:${normalise(candidate.value)}`,
      `value:${normalise(candidate.value)}`,
      `pending:${candidate.type}:${key}:${normalise(candidate.value)}`,
      `rejected:${candidate.type}:${kind ?? ""}:${key}:${normalise(candidate.value)}`,
    ];
    if (signatures.some((signature) => known.has(signature))) {
      dropped++;
      continue;
    }
    signatures.forEach((signature) => known.add(signature));
    const autoAccept =
      person?.memoryAutoAccept === true &&
      candidate.confidence >= thresholds.autoAcceptMinConfidence &&
      candidate.importance >= thresholds.autoAcceptMinImportance;
    await prisma.$transaction(async (tx) => {
      await tx.memoryProposal.create({
        data: {
          userId,
          conversationId,
          sourceMessageId: candidate.sourceMessageId,
          type: candidate.type,
          kind,
          key,
          value: candidate.value,
          confidence: candidate.confidence,
          importance: candidate.importance,
          status: autoAccept ? "accepted" : "proposed",
          decidedAt: autoAccept ? new Date() : null,
        },
      });
      if (!autoAccept) return;
      if (kind) {
        await saveFact(
          userId,
          {
            kind,
            key,
            value: candidate.value,
            confidence: candidate.confidence,
            sourceMessageId: candidate.sourceMessageId,
          },
          tx,
        );
      } else {
        await savePreference(userId, { key, value: candidate.value, sourceMessageId: candidate.sourceMessageId }, tx);
      }
    });
    if (autoAccept) accepted++;
    else queued++;
  }
  return { queued, accepted, dropped };
}

/** My review queue, oldest first, each with the conversation and message it came from. */
/**
 * My proposals waiting for review, each with the memory accepting it would replace (same type, kind and
 * key, another value), so the review says so before I decide.
 */
export async function pendingProposals(userId: string) {
  const proposals = await prisma.memoryProposal.findMany({
    where: { userId, status: "proposed" },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      type: true,
      kind: true,
      key: true,
      value: true,
      confidence: true,
      importance: true,
      conversationId: true,
      sourceMessageId: true,
      createdAt: true,
    },
  });
  if (proposals.length === 0) return [];
  const keys = [...new Set(proposals.map((proposal) => normalisedKey(proposal.key)))];
  const [facts, preferences] = await Promise.all([
    prisma.memoryFact.findMany({
      where: { userId, key: { in: keys } },
      select: { kind: true, key: true, value: true },
    }),
    prisma.memoryPreference.findMany({ where: { userId, key: { in: keys } }, select: { key: true, value: true } }),
  ]);
  return proposals.map((proposal) => {
    const key = normalisedKey(proposal.key);
    const existing =
      proposal.type === "fact"
        ? facts.find((fact) => fact.kind === (proposal.kind ?? "personal") && normalisedKey(fact.key) === key)
        : preferences.find((preference) => normalisedKey(preference.key) === key);
    const replaces =
      existing && existing.value !== proposal.value ? { key: existing.key, value: existing.value } : null;
    return { ...proposal, replaces };
  });
}

/** Marks my undecided proposal decided; one decided meanwhile by another request is not found. */
async function claim(
  tx: Prisma.TransactionClient,
  userId: string,
  id: string,
  status: "accepted" | "edited" | "rejected",
  /** An edited proposal keeps what I changed it to, written with its decision. */
  edited: Pick<Prisma.MemoryProposalUpdateManyMutationInput, "key" | "value" | "kind"> = {},
): Promise<void> {
  const { count } = await tx.memoryProposal.updateMany({
    where: { id, userId, status: "proposed" },
    data: { status, decidedAt: new Date(), ...edited },
  });
  if (count !== 1) throw new MemoryNotFoundError();
}

/**
 * Whether this is a proposal of mine that has been decided already (in another tab, say): the page then
 * says so instead of "not found". Someone else's id, or none, is false — still a plain 404.
 */
export async function isDecidedProposal(userId: string, id: string): Promise<boolean> {
  const proposal = await prisma.memoryProposal.findFirst({ where: { id, userId }, select: { status: true } });
  return proposal !== null && proposal.status !== "proposed";
}

/** Accepts my proposal as it is, or as I edited it; either way it becomes a memory (a correction if the key exists). */
export async function acceptProposal(
  userId: string,
  id: string,
  edited?: { kind?: FactKind; key: string; value: string },
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const proposal = await tx.memoryProposal.findFirst({ where: { id, userId, status: "proposed" } });
    if (!proposal) throw new MemoryNotFoundError();
    const key = edited?.key ?? proposal.key;
    const value = edited?.value ?? proposal.value;
    // Claimed before anything is saved: an accept and a reject (or two accepts) sent at once find it decided.
    await claim(
      tx,
      userId,
      id,
      edited ? "edited" : "accepted",
      edited ? { key, value, kind: proposal.type === "fact" ? (edited.kind ?? proposal.kind) : null } : {},
    );
    if (proposal.type === "fact") {
      const kind = edited?.kind ?? proposal.kind ?? "personal";
      await saveFact(
        userId,
        { kind, key, value, confidence: proposal.confidence, sourceMessageId: proposal.sourceMessageId },
        tx,
      );
    } else {
      await savePreference(userId, { key, value, sourceMessageId: proposal.sourceMessageId }, tx);
    }
  });
}

/**
 * Rejects my proposal: it is never used, the same proposal is not filed again (fileProposals), and my
 * summaries stop stating it too (redacted now, and from summaries written later: summaries.server.ts).
 */
export async function rejectProposal(userId: string, id: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const proposal = await tx.memoryProposal.findFirst({ where: { id, userId, status: "proposed" } });
    if (!proposal) throw new MemoryNotFoundError();
    await claim(tx, userId, id, "rejected");
    await forgetInSummaries(tx, userId, proposal.value);
  });
}
