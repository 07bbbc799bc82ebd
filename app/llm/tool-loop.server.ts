import { COST_MAX, TOKEN_COUNT_MAX } from "./token-count";
import { LlmStreamInterruptedError, LlmUnavailableError } from "./errors";
import { streamChat, type StreamChatRequest } from "./router.server";
import type { ChatMessage, LlmUsage, StreamResult, ToolCall, ToolDefinition } from "./types";

/**
 * A reply that may call tools: the model answers, asks for calls, gets their results and answers again,
 * for at most `maxRounds` model requests (the last one is offered no tools, so it has to answer in
 * words). Text from every round is one reply, delivered through `onToken` as it arrives.
 */
export type ToolChatRequest = StreamChatRequest & {
  tools: ToolDefinition[];
  /** Runs one call and returns what the model is told (JSON text); never throws for bad arguments. */
  runTool: (call: ToolCall) => Promise<string>;
  maxRounds: number;
};

function addUsage(total: LlmUsage | null, next: LlmUsage | null): LlmUsage | null {
  if (!total || !next) return total ?? next;
  return {
    // Each round's counts fit an int (tokenCount); their sum may not.
    promptTokens: Math.min(total.promptTokens + next.promptTokens, TOKEN_COUNT_MAX),
    completionTokens: Math.min(total.completionTokens + next.completionTokens, TOKEN_COUNT_MAX),
    cost:
      total.cost === null || next.cost === null
        ? (total.cost ?? next.cost)
        : Math.min(total.cost + next.cost, COST_MAX),
  };
}

export async function streamChatWithTools(request: ToolChatRequest): Promise<StreamResult> {
  const { tools, runTool, maxRounds, ...base } = request;
  const messages: ChatMessage[] = [...base.messages];
  let preferred = base.preferred;
  let model = base.model;
  let text = "";
  let separate = false;
  let usage: LlmUsage | null = null;
  let first: StreamResult | undefined;
  const onToken = (token: string): void => {
    // A later round continues the same reply: keep it apart from what came before the calls.
    if (separate && text !== "") base.onToken("\n\n");
    separate = false;
    text += token;
    base.onToken(token);
  };
  const started = performance.now();
  for (let round = 1; ; round++) {
    const roundStart = text.length;
    let result: StreamResult;
    try {
      result = await streamChat({
        ...base,
        preferred,
        model,
        messages,
        tools: round < maxRounds && !first?.toolsRefused ? tools : undefined,
        onToken,
      });
    } catch (error) {
      // Part of the reply already shows: a later round's failure cuts it short rather than replacing it.
      if (error instanceof LlmUnavailableError && text !== "" && error.attempts[0]) {
        throw new LlmStreamInterruptedError({ ...error.attempts[0], reason: "interrupted" });
      }
      throw error;
    }
    first ??= result;
    usage = addUsage(usage, result.usage);
    if (result.finish !== "tool_calls" || result.toolCalls.length === 0 || round >= maxRounds) {
      return {
        ...result,
        provider: first.provider,
        model: first.model,
        fallbackFrom: first.fallbackFrom,
        usage,
        firstTokenMs: first.firstTokenMs ?? result.firstTokenMs,
        // The reply's own latency: from the first request to the last answer, tools included.
        latencyMs: Math.round(performance.now() - started),
        toolsRefused: first.toolsRefused,
      };
    }
    // The following rounds stay with the provider and model that took the calls.
    preferred = result.provider;
    model = result.model;
    messages.push({ role: "assistant", content: text.slice(roundStart), toolCalls: result.toolCalls });
    for (const call of result.toolCalls) {
      messages.push({ role: "tool", toolCallId: call.id, content: await runTool(call) });
    }
    separate = true;
  }
}
