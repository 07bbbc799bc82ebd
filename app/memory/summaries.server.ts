import { modelForReply, toChatPreferences } from "~/chat/settings.server";
import { prisma } from "~/db/db.server";
import { Prisma } from "~/generated/prisma/client";
import { LlmStreamInterruptedError, LlmUnavailableError } from "~/llm/errors";
import { countTokens, streamChat } from "~/llm/router.server";
import { logger } from "~/observability/logger.server";
import { fileProposals, type Candidate } from "./proposals.server";
import { redactSummary, searchTextOf } from "./redaction";
import { extractionSchema, type Extraction } from "./schemas";
import { instanceSettings } from "./settings.server";

const log = logger.child({ domain: "memory" });

/** Marks the request as an extraction (the stand-in provider answers it with extraction JSON). */
const EXTRACTION_MARKER = "[[ares:memory-extraction]]";
/** Existing memories listed so the model does not propose them again. */
const KNOWN_MEMORIES_LISTED = 40;
/** The instructions and that list take at most this share of the input cap: the rest is the transcript's. */
const SYSTEM_SHARE_OF_CAP = 0.5;
/** Invalid answers for ranges starting at the same message before that range is skipped for good. */
const INVALID_ANSWERS_BEFORE_SKIP = 2;
/** Chat-format overhead per message and for the reply's priming. */
const REQUEST_OVERHEAD_TOKENS = 16;

export type SummaryOutcome =
  | {
      status: "written";
      summaryId: string;
      messages: number;
      /** Messages still not summarised: the cap left them for the next run. */
      remaining: number;
      queued: number;
      accepted: number;
      dropped: number;
    }
  | { status: "already-written"; summaryId: string }
  /** The model's answers on this range were invalid too often: it is passed over, never summarised. */
  | { status: "skipped"; reason: string; messages: number; remaining: number }
  | { status: "off" | "nothing-new" | "not-found" }
  | { status: "invalid" | "unavailable"; reason: string };

const INSTRUCTIONS = `${EXTRACTION_MARKER}
You keep the memory of a personal assistant. Read the numbered transcript and answer with ONE JSON object and
nothing else (no Markdown, no prose):
{"summary": string, "topics": [string], "keyFacts": [string], "candidates": [{"type": "fact" | "preference",
 "kind": "identity" | "professional" | "personal" | "context" (facts only), "key": short_snake_case, "value": string,
 "confidence": 0..1, "importance": 1..10, "message": number of the [user] line it comes from}]}
Rules for candidates: only what the person says about themselves in [user] lines. Never propose the
assistant's words, suggestions or guesses, and never facts about other people. Do not propose anything
already known (listed below). Fewer, certain candidates beat many.`;

type TranscriptMessage = { id: string; role: "user" | "assistant"; content: string; createdAt: Date };

/**
 * Summarises a conversation's messages that no summary covers yet, and files the model's candidate
 * memories in the person's review queue. The jobs queue runs it once a conversation has been idle for
 * the instance's `summaryIdleMinutes` (idle-summary.server.ts); safe to call any time and more than once: a summary covers a
 * message range and each range is written once. Never throws for bad model output or an unreachable
 * provider — it logs and reports, and the caller must not retry the same range on "invalid".
 */
export async function summarizeConversation(conversationId: string): Promise<SummaryOutcome> {
  const conversation = await prisma.conversation.findUnique({
    where: { id: conversationId },
    select: {
      id: true,
      userId: true,
      memoryEnabled: true,
      memoryLearnAfter: true,
      summaryFailedFromId: true,
      summaryFailures: true,
      provider: true,
      model: true,
      user: { select: { chatSettings: true } },
    },
  });
  if (!conversation) return { status: "not-found" };
  const settings = await instanceSettings();
  const chatSettings = conversation.user.chatSettings;
  if (!settings.memoryEnabled || !conversation.memoryEnabled || chatSettings?.memoryEnabled === false) {
    return { status: "off" };
  }

  const last = await prisma.conversationSummary.findFirst({
    where: { conversationId },
    orderBy: { throughMessageAt: "desc" },
    select: { throughMessageAt: true, throughMessageId: true },
  });
  // Past the last summary, and past any moment a switch went back on: what was said while memory was
  // off is never learned (nor a range skipped after invalid answers).
  const learnAfter = latest([
    last?.throughMessageAt,
    conversation.memoryLearnAfter,
    chatSettings?.memoryLearnAfter,
    settings.memoryLearnAfter,
  ]);
  const pending = await prisma.message.findMany({
    where: {
      conversationId,
      role: { in: ["user", "assistant"] },
      // Of a regenerated reply, only the version the person chose is learned from.
      selected: true,
      status: "complete",
      content: { not: "" },
      ...(learnAfter ? { createdAt: { gt: learnAfter } } : {}),
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, role: true, content: true, createdAt: true },
  });
  if (pending.length === 0) return { status: "nothing-new" };

  const [facts, preferences] = await Promise.all([
    prisma.memoryFact.findMany({
      where: { userId: conversation.userId },
      orderBy: { updatedAt: "desc" },
      take: KNOWN_MEMORIES_LISTED,
      select: { kind: true, key: true, value: true },
    }),
    prisma.memoryPreference.findMany({
      where: { userId: conversation.userId },
      orderBy: { updatedAt: "desc" },
      take: KNOWN_MEMORIES_LISTED,
      select: { key: true, value: true },
    }),
  ]);
  const known = [
    ...facts.map((fact) => `- ${fact.kind} · ${fact.key}: ${fact.value}`),
    ...preferences.map((preference) => `- preference · ${preference.key}: ${preference.value}`),
  ];
  const cap = settings.extractionInputTokens;
  const system = systemPrompt(known, Math.floor(cap * SYSTEM_SHARE_OF_CAP));
  const covered = transcriptWithin(pending as TranscriptMessage[], cap - countTokens(system) - REQUEST_OVERHEAD_TOKENS);
  if (covered.messages.length === 0) {
    log.warn({ conversationId, cap }, "extraction cap leaves no room for the transcript");
    return { status: "invalid", reason: "cap too small" };
  }
  const from = covered.messages[0]!;
  const through = covered.messages.at(-1)!;
  const existing = await prisma.conversationSummary.findUnique({
    where: { conversationId_throughMessageId: { conversationId, throughMessageId: through.id } },
    select: { id: true },
  });
  if (existing) return { status: "already-written", summaryId: existing.id };

  const { provider, model } = modelForReply(conversation, toChatPreferences(chatSettings ?? null));
  let text = "";
  try {
    await streamChat({
      preferred: provider,
      model,
      messages: [
        { role: "system", content: system },
        { role: "user", content: covered.transcript },
      ],
      params: { temperature: 0 },
      onToken: (token) => {
        text += token;
      },
    });
  } catch (error) {
    if (error instanceof LlmUnavailableError || error instanceof LlmStreamInterruptedError) {
      log.warn({ conversationId, err: error }, "extraction: no provider answered");
      return { status: "unavailable", reason: error.message };
    }
    throw error;
  }

  const extraction = parseExtraction(text);
  if (!extraction.ok) {
    // Never the answer itself: it is made of the conversation, and logs carry no conversation text.
    log.warn({ conversationId, reason: extraction.reason, answerChars: text.length }, "extraction answer dropped");
    // Re-sending the same oldest range every idle period would never end: after a few invalid answers
    // the range is passed over (never summarised) and the next run starts after it.
    const failures = conversation.summaryFailedFromId === from.id ? conversation.summaryFailures + 1 : 1;
    const skip = failures >= INVALID_ANSWERS_BEFORE_SKIP;
    await prisma.conversation.updateMany({
      where: { id: conversationId },
      data: skip
        ? { memoryLearnAfter: through.createdAt, summaryFailedFromId: null, summaryFailures: 0 }
        : { summaryFailedFromId: from.id, summaryFailures: failures },
    });
    if (!skip) return { status: "invalid", reason: extraction.reason };
    log.warn(
      { conversationId, fromMessageId: from.id, throughMessageId: through.id, failures },
      "extraction range skipped after repeated invalid answers",
    );
    return {
      status: "skipped",
      reason: extraction.reason,
      messages: covered.messages.length,
      remaining: pending.length - covered.messages.length,
    };
  }
  if (conversation.summaryFailures > 0) {
    await prisma.conversation.updateMany({
      where: { id: conversationId },
      data: { summaryFailedFromId: null, summaryFailures: 0 },
    });
  }
  const { candidates } = extraction.value;
  // What I rejected stays out of summaries written later too (ADR 008).
  const rejected = await prisma.memoryProposal.findMany({
    where: { userId: conversation.userId, status: "rejected" },
    distinct: ["value"],
    select: { value: true },
  });
  const { changed: _redacted, ...written } = redactSummary(
    extraction.value,
    rejected.map((proposal) => proposal.value),
  );

  let summaryId: string;
  try {
    const created = await prisma.conversationSummary.create({
      data: {
        userId: conversation.userId,
        conversationId,
        ...written,
        searchText: searchTextOf(written),
        fromMessageId: from.id,
        throughMessageId: through.id,
        throughMessageAt: through.createdAt,
        messageCount: covered.messages.length,
      },
      select: { id: true },
    });
    summaryId = created.id;
  } catch (error) {
    // Another run wrote this range first: it filed the candidates too.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const winner = await prisma.conversationSummary.findUniqueOrThrow({
        where: { conversationId_throughMessageId: { conversationId, throughMessageId: through.id } },
        select: { id: true },
      });
      return { status: "already-written", summaryId: winner.id };
    }
    throw error;
  }

  // A candidate must come from one of the person's own lines in this range, never the assistant's.
  const fromPerson: Candidate[] = candidates.flatMap((candidate) => {
    const source = covered.messages[candidate.message];
    if (!source || source.role !== "user") return [];
    return [
      {
        type: candidate.type,
        kind: candidate.type === "fact" ? (candidate.kind ?? "personal") : null,
        key: candidate.key,
        value: candidate.value,
        confidence: candidate.confidence,
        importance: candidate.importance,
        sourceMessageId: source.id,
      },
    ];
  });
  const filed = await fileProposals(conversation.userId, conversationId, fromPerson, settings);
  log.info(
    {
      conversationId,
      summaryId,
      messages: covered.messages.length,
      ...filed,
      ignored: candidates.length - fromPerson.length,
    },
    "conversation summarised",
  );
  return {
    status: "written",
    summaryId,
    messages: covered.messages.length,
    remaining: pending.length - covered.messages.length,
    ...filed,
    dropped: filed.dropped + candidates.length - fromPerson.length,
  };
}

const latest = (dates: Array<Date | null | undefined>): Date | null =>
  dates.reduce<Date | null>((max, date) => (date && (!max || date > max) ? date : max), null);

/**
 * The instructions and as many known memories (newest first) as fit `budget` tokens: a long list must
 * not crowd the transcript out of the input cap, or every run would fail for want of room.
 */
function systemPrompt(known: string[], budget: number): string {
  let used = countTokens(INSTRUCTIONS) + countTokens("\nAlready known:\n- nothing yet");
  const listed = known.filter((line) => {
    const tokens = countTokens(line) + 1;
    if (used + tokens > budget) return false;
    used += tokens;
    return true;
  });
  if (listed.length < known.length) log.info({ listed: listed.length, known: known.length }, "known memories trimmed");
  return `${INSTRUCTIONS}\nAlready known:\n${listed.length ? listed.join("\n") : "- nothing yet"}`;
}

/**
 * The oldest not-yet-summarised messages that fit `budget` tokens, numbered as the request shows them; a
 * later run continues after the last one. A first message longer than the budget is cut to fit.
 */
function transcriptWithin(
  messages: TranscriptMessage[],
  budget: number,
): { messages: TranscriptMessage[]; transcript: string } {
  const lines: string[] = [];
  const kept: TranscriptMessage[] = [];
  let used = 0;
  for (const message of messages) {
    let line = `#${kept.length} [${message.role}] ${message.content.replace(/\s*\n\s*/g, " ")}`;
    let tokens = countTokens(line) + 1;
    if (used + tokens > budget) {
      if (kept.length > 0 || budget < 20) break;
      // Cut by characters until it fits: a token is at least one character.
      while (tokens > budget && line.length > 0) {
        line = line.slice(0, Math.floor(line.length * (budget / tokens) * 0.95));
        tokens = countTokens(line) + 1;
      }
    }
    lines.push(line);
    kept.push(message);
    used += tokens;
  }
  return { messages: kept, transcript: lines.join("\n") };
}

function parseExtraction(text: string): { ok: true; value: Extraction } | { ok: false; reason: string } {
  // Models like to wrap JSON in a Markdown fence; nothing else is forgiven.
  const body = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, "$1");
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    if (error instanceof SyntaxError) return { ok: false, reason: "not JSON" };
    throw error;
  }
  const parsed = extractionSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      // Where and what kind of problem, never the values (zod names an unrecognised key as the model wrote it).
      reason: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.code}`).join("; "),
    };
  }
  return { ok: true, value: parsed.data };
}
