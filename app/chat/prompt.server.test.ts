import { describe, expect, it, vi } from "vitest";
import type { PromptMemory } from "~/memory/prompt-memory.server";
import { buildPrompt, DEFAULT_SYSTEM_PROMPT, DROP_ORDER, SECTION_NAMES, type HistoryTurn } from "./prompt.server";

// A stand-in tokenizer: one token per word, far fewer tokens than bytes.
const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

function history(count: number, words: number): HistoryTurn[] {
  return Array.from({ length: count }, (_, index) => ({
    role: index % 2 === 0 ? ("user" as const) : ("assistant" as const),
    content: Array.from({ length: words }, () => `turn${index}`).join(" "),
  }));
}

describe("buildPrompt", () => {
  it("sends the system prompt, then the newest history that fits, then the new message", () => {
    const turns = history(10, 10);
    // Each turn costs 10 words + 4 for the chat format; room for exactly three of them.
    const { turns: sent, droppedTurns } = buildPrompt({
      systemPrompt: "Be brief.",
      history: turns,
      newMessage: "and now?",
      contextWindow: 100 + 2 + 4 + 2 + 4 + 3 * 14,
      replyTokens: 100,
      countTokens: countWords,
    });
    expect(sent[0]).toEqual({ role: "system", content: "Be brief." });
    expect(sent.slice(1, -1)).toEqual(turns.slice(-3));
    expect(sent.at(-1)).toEqual({ role: "user", content: "and now?" });
    expect(droppedTurns).toBe(7);
  });

  it("sends a conversation whose bytes fit whole, without running the tokenizer", () => {
    const countTokens = vi.fn(countWords);
    const turns = history(6, 5);
    const { turns: sent, droppedTurns } = buildPrompt({
      systemPrompt: null,
      history: turns,
      newMessage: "hello",
      contextWindow: 8192,
      replyTokens: 1024,
      countTokens,
    });
    expect(sent).toEqual([
      { role: "system", content: DEFAULT_SYSTEM_PROMPT },
      ...turns,
      { role: "user", content: "hello" },
    ]);
    expect(droppedTurns).toBe(0);
    expect(countTokens).not.toHaveBeenCalled();
  });

  it("counts tokens when the bytes do not fit, and keeps what the tokens allow", () => {
    const turns = history(4, 50);
    const bytes = turns.reduce((sum, turn) => sum + turn.content.length, 0);
    const { turns: sent, droppedTurns } = buildPrompt({
      systemPrompt: "Be brief.",
      history: turns,
      newMessage: "and now?",
      contextWindow: 10 + bytes / 2,
      replyTokens: 10,
      countTokens: countWords,
    });
    expect(droppedTurns).toBe(0);
    expect(sent).toHaveLength(6);
  });
});

describe("prompt assembly with memory", () => {
  const memory: PromptMemory = {
    enabled: true,
    summaryIdleMinutes: 10,
    timeZone: "Europe/Berlin",
    self: [{ category: "identity", key: "name", value: "ARES", importance: 9 }],
    facts: [
      { id: "f1", kind: "identity", key: "name", value: "Robin" },
      { id: "f2", kind: "professional", key: "employer", value: "Acme" },
      { id: "f3", kind: "personal", key: "pet", value: "cat" },
    ],
    preferences: [{ id: "p1", key: "tone", value: "brief" }],
    summaries: [
      {
        id: "s1",
        summary: "Trip to Kyoto planned.",
        topics: ["travel"],
        keyFacts: [],
        createdAt: "2026-11-30T10:00:00Z",
      },
      { id: "s2", summary: "Talked about tea.", topics: [], keyFacts: [], createdAt: "2026-11-29T10:00:00Z" },
    ],
  };
  const working = {
    now: new Date("2026-12-01T10:00:00Z"),
    timeZone: "Europe/Berlin",
    provider: "OpenRouter",
    model: "stub/small",
    conversationTitle: "Packing",
  };
  const base = {
    systemPrompt: "Be brief.",
    memory,
    working,
    newMessage: "and now?",
    replyTokens: 0,
    countTokens: countWords,
  };

  it("sends the sections in the fixed order, with the calendar section in place and the memories it used", () => {
    const prompt = buildPrompt({ ...base, history: history(2, 3), contextWindow: 100_000 });
    expect(prompt.sections.map((section) => section.name)).toEqual([...SECTION_NAMES]);
    const system = prompt.turns[0]!.content;
    const order = [
      "Be brief.",
      "identity · name: ARES",
      "- name: Robin",
      "prefers tone: brief",
      "professional · employer: Acme",
      "Tuesday, 1 December 2026 at 11:00 (Europe/Berlin)",
      "Conversation: Packing",
      "Trip to Kyoto planned.",
    ];
    const positions = order.map((text) => system.indexOf(text));
    expect(positions, system).not.toContain(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(prompt.sections.find((section) => section.name === "calendar")).toMatchObject({ text: "", items: 0 });
    expect(prompt.memories.map((ref) => ref.id)).toEqual(["f1", "p1", "f2", "f3", "s1", "s2"]);
  });

  it("over budget, drops summaries, then history (oldest first), then self-memory, then facts, then identity", () => {
    const turns = history(4, 10);
    const droppedAt = (window: number) =>
      Object.fromEntries(
        buildPrompt({ ...base, history: turns, contextWindow: window }).sections.map((s) => [s.name, s.dropped]),
      ) as Record<string, number>;
    // Shrink the window one token at a time and note where each section first loses an item.
    const firstDrop = new Map<string, number>();
    const itemsOf = { summaries: 2, history: 4, self: 1, facts: 2, identity: 2 } as Record<string, number>;
    for (let window = 400; window > 0; window--) {
      const dropped = droppedAt(window);
      for (const name of DROP_ORDER) {
        if (dropped[name]! > 0 && !firstDrop.has(name)) {
          firstDrop.set(name, window);
          // A section starts losing items only once every section before it in DROP_ORDER is empty.
          for (const earlier of DROP_ORDER.slice(0, DROP_ORDER.indexOf(name)))
            expect(dropped[earlier]).toBe(itemsOf[earlier]);
        }
      }
      expect(dropped.system! + dropped.working! + dropped.message!).toBe(0);
    }
    expect([...firstDrop.keys()]).toEqual([...DROP_ORDER]);
    const window = firstDrop.get("history")!;
    const kept = buildPrompt({ ...base, history: turns, contextWindow: window });
    expect(kept.turns.slice(1, -1)).toEqual(turns.slice(1));
    expect(kept.memories.map((ref) => ref.type)).not.toContain("summary");
  });

  it("with memory switched off, sends no memory section", () => {
    const prompt = buildPrompt({ ...base, memory: { ...memory, enabled: false }, history: [], contextWindow: 100_000 });
    expect(prompt.memories).toEqual([]);
    expect(prompt.turns[0]!.content).not.toContain("Robin");
    expect(prompt.turns[0]!.content).toContain("Conversation: Packing");
  });
});
