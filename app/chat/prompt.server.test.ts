import { describe, expect, it, vi } from "vitest";
import { buildPrompt, DEFAULT_SYSTEM_PROMPT, type HistoryTurn } from "./prompt.server";

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
