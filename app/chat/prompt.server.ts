import type { ChatTurn } from "~/llm/types";

export const DEFAULT_SYSTEM_PROMPT =
  "You are ARES, a helpful personal assistant. Answer clearly and concisely. Use Markdown for structure " +
  "when it helps (lists, tables, code blocks with a language). If you are unsure, say so.";

export type HistoryTurn = { role: "user" | "assistant"; content: string };

export type PromptInput = {
  systemPrompt: string | null;
  /** Extra system context — the seam for memory, calendar and summaries as they land. */
  context?: string[];
  /** Oldest first; excludes the new message. */
  history: HistoryTurn[];
  newMessage: string;
  /** Tokens the model accepts in total. */
  contextWindow: number;
  /** Tokens kept free for the reply. */
  replyTokens: number;
  countTokens: (text: string) => number;
};

// Per-message overhead of the chat format (role markers, separators), as OpenAI documents it.
const TOKENS_PER_MESSAGE = 4;

/**
 * System prompt, then as much recent history as fits the token budget (newest kept, whole messages
 * only), then the new message. The new message and the system prompt are always sent.
 */
export function buildPrompt(input: PromptInput): { turns: ChatTurn[]; droppedTurns: number } {
  const system = [input.systemPrompt?.trim() || DEFAULT_SYSTEM_PROMPT, ...(input.context ?? [])].join("\n\n");
  const whole = (): { turns: ChatTurn[]; droppedTurns: number } => ({
    turns: [{ role: "system", content: system }, ...input.history, { role: "user", content: input.newMessage }],
    droppedTurns: 0,
  });
  // No token is shorter than a byte, so when the bytes fit, the tokens do: most conversations are sent
  // whole without running the tokenizer, which is on the path to the first token.
  const bytesAtMost = [system, input.newMessage, ...input.history.map((turn) => turn.content)].reduce(
    (sum, text) => sum + Buffer.byteLength(text) + TOKENS_PER_MESSAGE,
    0,
  );
  if (bytesAtMost <= input.contextWindow - input.replyTokens) return whole();

  const cost = (text: string) => input.countTokens(text) + TOKENS_PER_MESSAGE;
  let budget = input.contextWindow - input.replyTokens - cost(system) - cost(input.newMessage);

  const kept: HistoryTurn[] = [];
  for (let index = input.history.length - 1; index >= 0; index--) {
    const turn = input.history[index]!;
    const tokens = cost(turn.content);
    if (tokens > budget) break;
    budget -= tokens;
    kept.unshift(turn);
  }
  return {
    turns: [{ role: "system", content: system }, ...kept, { role: "user", content: input.newMessage }],
    droppedTurns: input.history.length - kept.length,
  };
}
