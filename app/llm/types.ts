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
  finish: "stop" | "length" | "aborted";
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
