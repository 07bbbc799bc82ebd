/**
 * The LLM domain's shared vocabulary. Free of server-only imports: the UI imports provider names and
 * labels from here to render model pickers and "answered by" badges.
 */

export type ProviderName = "openrouter" | "ollama";

export const PROVIDER_LABELS: Record<ProviderName, string> = {
  openrouter: "OpenRouter",
  ollama: "Ollama",
};

export type ChatTurn = { role: "system" | "user" | "assistant"; content: string };

/** A function the model may call (OpenAI's tools API; Ollama takes the same shape). */
export type ToolDefinition = {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
};

/** A call the model asked for; `arguments` is the model's JSON text, unvalidated. */
export type ToolCall = { id: string; name: string; arguments: string };

/** A turn of a conversation with tools: the model's calls and what each call returned. */
export type ChatMessage =
  | ChatTurn
  | { role: "assistant"; content: string; toolCalls: ToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

export type GenerationParams = { temperature?: number; topP?: number; maxTokens?: number };

/** `contextLength` is null when the provider does not say (Ollama's tag list). */
export type ModelInfo = { id: string; contextLength: number | null };

/** `cost` is in the provider's billing currency (USD for OpenRouter); null when it does not report one. */
export type LlmUsage = { promptTokens: number; completionTokens: number; cost: number | null };

export type StreamResult = {
  provider: ProviderName;
  model: string;
  /** Set when the preferred provider failed (or was not configured) and this one answered. */
  fallbackFrom: ProviderName | null;
  usage: LlmUsage | null;
  /** aborted: the caller's signal fired; the text delivered so far is all there is. */
  finish: "stop" | "length" | "aborted" | "tool_calls";
  /** Calls the model asked for (finish "tool_calls"); empty otherwise. */
  toolCalls: ToolCall[];
  /** The request carried tools the model refused (HTTP 400): it was answered without them. */
  toolsRefused: boolean;
  /** Both from the start of streamChat, so a failed first attempt counts: what the user waited. */
  latencyMs: number;
  firstTokenMs: number | null;
};

export type AttemptFailureReason =
  "not_configured" | "connection" | "timeout" | "rate_limited" | "server_error" | "client_error" | "interrupted";

export type AttemptFailure = {
  provider: ProviderName;
  model: string;
  reason: AttemptFailureReason;
  /** The HTTP status, when the provider answered with one. */
  status?: number;
  retryAfterSeconds?: number;
  /** Safe to show to users: names what to configure, never contains a secret. */
  message: string;
};
