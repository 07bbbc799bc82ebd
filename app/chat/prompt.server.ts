import type { ChatTurn } from "~/llm/types";
import type { MemoryRef, PromptMemory } from "~/memory/prompt-memory.server";

/**
 * The one place a reply's prompt is assembled (issue #14). Sections, always in this order:
 *   system → self-memory → my identity and preferences → my facts → working memory → calendar →
 *   relevant summaries of earlier conversations → history → the new message.
 * The system prompt, working memory, calendar and the new message are always sent. When the whole does
 * not fit the model's budget, items are dropped in DROP_ORDER: all summaries (least relevant first),
 * then history (oldest first), then self-memory (least important first), then facts (least confident
 * first), then identity and preferences (last listed first).
 */

export const DEFAULT_SYSTEM_PROMPT =
  "You are ARES, a helpful personal assistant. Answer clearly and concisely. Use Markdown for structure " +
  "when it helps (lists, tables, code blocks with a language). If you are unsure, say so.";

export type HistoryTurn = { role: "user" | "assistant"; content: string };

export const SECTION_NAMES = [
  "system",
  "self",
  "identity",
  "facts",
  "working",
  "calendar",
  "summaries",
  "history",
  "message",
] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export const SECTION_TITLES: Record<SectionName, string> = {
  system: "System prompt",
  self: "The assistant's self-memory",
  identity: "Your identity and preferences",
  facts: "Your facts",
  working: "Working memory",
  calendar: "Calendar (your next 7 days)",
  summaries: "Earlier conversations",
  history: "This conversation so far",
  message: "Your new message",
};

/** Dropped first to last when the prompt is over budget; sections not listed are never dropped. */
export const DROP_ORDER = ["summaries", "history", "self", "facts", "identity"] as const;

/** Now, in the person's zone, and what is answering: facts the model cannot know by itself. */
export type WorkingMemory = {
  now: Date;
  timeZone: string;
  provider: string;
  model: string;
  conversationTitle: string;
  /** My next 7 days of occurrences in plain words (app/calendar/prompt-block.server.ts). */
  calendar?: string[];
};

export type PromptInput = {
  systemPrompt: string | null;
  /** Absent or disabled: the prompt carries no memory sections. */
  memory?: PromptMemory | null;
  working?: WorkingMemory;
  /** Oldest first; excludes the new message. */
  history: HistoryTurn[];
  newMessage: string;
  /** Tokens the model accepts in total. */
  contextWindow: number;
  /** Tokens kept free for the reply. */
  replyTokens: number;
  countTokens: (text: string) => number;
};

export type AssembledSection = {
  name: SectionName;
  title: string;
  /** Exactly the text sent for this section ("" when empty). */
  text: string;
  items: number;
  /** Items left out to fit the budget. */
  dropped: number;
};

export type AssembledPrompt = {
  turns: ChatTurn[];
  droppedTurns: number;
  sections: AssembledSection[];
  /** The person's memories this prompt includes (facts, preferences, summaries). */
  memories: MemoryRef[];
};

// Per-message overhead of the chat format (role markers, separators), as OpenAI documents it.
const TOKENS_PER_MESSAGE = 4;

type Item = { text: string; ref?: MemoryRef; turn?: HistoryTurn };
type Draft = { name: SectionName; heading: string | null; items: Item[]; dropFrom: "start" | "end"; dropped: number };

// One formatter per zone: creating an Intl.DateTimeFormat costs about as much as the rest of a prompt.
// Keyed by the zone as given; an unknown zone maps to the UTC formatter. Zones are few (IANA names).
const nowFormats = new Map<string, { zone: string; format: Intl.DateTimeFormat }>();
const MAX_CACHED_ZONES = 1_000;

function nowFormat(timeZone: string): { zone: string; format: Intl.DateTimeFormat } {
  let cached = nowFormats.get(timeZone);
  if (!cached) {
    const zone = safeZone(timeZone);
    cached = {
      zone,
      format: new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        weekday: "long",
        day: "numeric",
        month: "long",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hour12: false,
      }),
    };
    if (nowFormats.size >= MAX_CACHED_ZONES) nowFormats.clear();
    nowFormats.set(timeZone, cached);
  }
  return cached;
}

function formatNow({ now, timeZone }: WorkingMemory): string {
  const { zone, format } = nowFormat(timeZone);
  return `${format.format(now)} (${zone})`;
}

function safeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch (error) {
    if (error instanceof RangeError) return "UTC";
    throw error;
  }
}

function drafts(input: PromptInput): Draft[] {
  const memory = input.memory?.enabled ? input.memory : null;
  const section = (name: SectionName, items: Item[], dropFrom: "start" | "end" = "end", heading = true): Draft => ({
    name,
    heading: heading ? `## ${SECTION_TITLES[name]}` : null,
    items,
    dropFrom,
    dropped: 0,
  });
  const working = input.working;
  return [
    section("system", [{ text: input.systemPrompt?.trim() || DEFAULT_SYSTEM_PROMPT }], "end", false),
    section(
      "self",
      (memory?.self ?? []).map((entry) => ({ text: `- ${entry.category} · ${entry.key}: ${entry.value}` })),
    ),
    section("identity", [
      ...(memory?.facts ?? [])
        .filter((fact) => fact.kind === "identity")
        .map((fact) => ({ text: `- ${fact.key}: ${fact.value}`, ref: factRef(fact) })),
      ...(memory?.preferences ?? []).map((preference) => ({
        text: `- prefers ${preference.key}: ${preference.value}`,
        ref: { type: "preference" as const, id: preference.id, label: `${preference.key}: ${preference.value}` },
      })),
    ]),
    section(
      "facts",
      (memory?.facts ?? [])
        .filter((fact) => fact.kind !== "identity")
        .map((fact) => ({ text: `- ${fact.kind} · ${fact.key}: ${fact.value}`, ref: factRef(fact) })),
    ),
    section(
      "working",
      working
        ? [
            { text: `- Now: ${formatNow(working)}` },
            { text: `- Answering: ${working.provider} · ${working.model}` },
            { text: `- Conversation: ${working.conversationTitle}` },
          ]
        : [],
    ),
    section(
      "calendar",
      (working?.calendar ?? []).map((line) => ({ text: `- ${line}` })),
    ),
    section(
      "summaries",
      (memory?.summaries ?? []).map((summary) => ({
        text:
          `- ${summary.createdAt.slice(0, 10)}: ${summary.summary}` +
          (summary.topics.length ? ` Topics: ${summary.topics.join(", ")}.` : "") +
          (summary.keyFacts.length ? ` Key facts: ${summary.keyFacts.join("; ")}.` : ""),
        ref: { type: "summary" as const, id: summary.id, label: summary.summary.slice(0, 120) },
      })),
    ),
    {
      name: "history",
      heading: null,
      items: input.history.map((turn) => ({ text: turn.content, turn })),
      dropFrom: "start",
      dropped: 0,
    },
    section("message", [{ text: input.newMessage }], "end", false),
  ];
}

function factRef(fact: PromptMemory["facts"][number]): MemoryRef {
  return { type: "fact", id: fact.id, label: `${fact.key}: ${fact.value}` };
}

function sectionText(draft: Draft): string {
  if (draft.items.length === 0) return "";
  if (draft.name === "history") {
    return draft.items.map((item) => `${item.turn!.role}: ${item.text}`).join("\n\n");
  }
  return [...(draft.heading ? [draft.heading] : []), ...draft.items.map((item) => item.text)].join("\n");
}

const SYSTEM_PART: ReadonlySet<SectionName> = new Set([
  "system",
  "self",
  "identity",
  "facts",
  "working",
  "calendar",
  "summaries",
]);

/**
 * Everything in the fixed order, under `contextWindow - replyTokens` (see DROP_ORDER). Whole items
 * only: a fact, a summary or a history turn is sent entirely or not at all.
 */
export function buildPrompt(input: PromptInput): AssembledPrompt {
  const parts = drafts(input);
  const budget = input.contextWindow - input.replyTokens;
  // No token is shorter than a byte, so when the bytes fit, the tokens do: most prompts are sent whole
  // without running the tokenizer, which is on the path to the first token.
  const bytesAtMost = parts.reduce(
    (sum, part) =>
      sum +
      (part.heading ? Buffer.byteLength(part.heading) + 1 : 0) +
      part.items.reduce((inner, item) => inner + Buffer.byteLength(item.text) + 1, 0) +
      (part.name === "history" ? part.items.length * TOKENS_PER_MESSAGE : 0),
    2 * TOKENS_PER_MESSAGE,
  );
  if (bytesAtMost > budget) trim(parts, budget, input.countTokens);

  const byName = new Map(parts.map((part) => [part.name, part]));
  const system = parts
    .filter((part) => SYSTEM_PART.has(part.name))
    .map(sectionText)
    .filter((text) => text !== "")
    .join("\n\n");
  const history = byName.get("history")!;
  const turns: ChatTurn[] = [
    { role: "system", content: system },
    ...history.items.map((item) => item.turn!),
    { role: "user", content: input.newMessage },
  ];
  return {
    turns,
    droppedTurns: history.dropped,
    sections: parts.map((part) => ({
      name: part.name,
      title: SECTION_TITLES[part.name],
      text: sectionText(part),
      items: part.items.length,
      dropped: part.dropped,
    })),
    memories: parts.flatMap((part) => part.items.flatMap((item) => (item.ref ? [item.ref] : []))),
  };
}

/** Drops items, in DROP_ORDER, until the prompt's tokens fit `budget`. */
function trim(parts: Draft[], budget: number, countTokens: (text: string) => number): void {
  // A history turn is a message of its own; a list line costs its newline; system and message are one text each.
  const itemCost = (part: Draft, item: Item) =>
    countTokens(item.text) + (part.name === "history" ? TOKENS_PER_MESSAGE : part.heading ? 1 : 0);
  const costs = new Map(parts.map((part) => [part, part.items.map((item) => itemCost(part, item))]));
  const headingCost = (part: Draft) => (part.heading && part.items.length ? countTokens(part.heading) + 2 : 0);
  let total =
    2 * TOKENS_PER_MESSAGE +
    parts.reduce((sum, part) => sum + headingCost(part) + costs.get(part)!.reduce((a, b) => a + b, 0), 0);

  for (const name of DROP_ORDER) {
    const part = parts.find((candidate) => candidate.name === name)!;
    const partCosts = costs.get(part)!;
    while (total > budget && part.items.length > 0) {
      const before = headingCost(part);
      const cost = part.dropFrom === "start" ? partCosts.shift()! : partCosts.pop()!;
      if (part.dropFrom === "start") part.items.shift();
      else part.items.pop();
      part.dropped += 1;
      total -= cost + (before - headingCost(part));
    }
    if (total <= budget) return;
  }
}
