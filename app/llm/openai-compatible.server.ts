import { COST_MAX, tokenCount } from "./token-count";
import { type OpenAI, APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import type {
  AttemptFailure,
  AttemptFailureReason,
  ChatMessage,
  GenerationParams,
  LlmUsage,
  ModelInfo,
  ProviderName,
  ToolCall,
  ToolDefinition,
} from "./types";

/**
 * The streaming protocol shared by every provider ARES talks to (all speak OpenAI's chat-completions
 * API): one attempt against one provider, with time limits, cancellation and a classified failure.
 * Deciding what to do about a failure is the router's job.
 */

export type AttemptRequest = {
  model: string;
  messages: ChatMessage[];
  /** Offered to the model; absent or empty: a plain chat request. */
  tools?: ToolDefinition[] | undefined;
  params?: GenerationParams;
  signal?: AbortSignal;
  onToken: (text: string) => void;
};

export type AttemptOutcome =
  | {
      ok: true;
      finish: "stop" | "length" | "aborted" | "tool_calls";
      toolCalls: ToolCall[];
      usage: LlmUsage | null;
      /** Milliseconds from the start of this attempt. */
      firstTokenMs: number | null;
      latencyMs: number;
      tokens: number;
    }
  | { ok: false; failure: AttemptFailure; latencyMs: number; tokens: number };

export type LlmAdapter = {
  readonly name: ProviderName;
  readonly defaultModel: string;
  /** How long a fetched model list stays fresh. */
  readonly modelsCacheMs: number;
  /** Whether its model list says how long each model's context is (Ollama's /api/tags does not). */
  readonly listsContextLengths: boolean;
  /** Null when the provider can be called; otherwise what to configure (user-facing). */
  readonly notConfigured: string | null;
  stream(request: AttemptRequest): Promise<AttemptOutcome>;
  /** Throws when the provider cannot be reached; the router caches and swallows that. */
  fetchModels(signal: AbortSignal): Promise<ModelInfo[]>;
};

type CompatibleAdapterOptions = {
  name: ProviderName;
  client: OpenAI;
  defaultModel: string;
  modelsCacheMs: number;
  listsContextLengths: boolean;
  notConfigured: string | null;
  /** Where the provider lives, for messages (credentials stripped). */
  endpoint: string;
  /** What to check when the provider cannot be reached, e.g. "start Ollama or set OLLAMA_URL". */
  connectionHint: string;
  /** What to check when the provider refuses the credentials. */
  authHint: string;
  requestTimeoutMs: number;
  streamIdleTimeoutMs: number;
  /** Provider-specific request fields (OpenRouter's usage accounting). */
  extraBody?: Record<string, unknown>;
  /** Values that must never appear in a message shown to users. */
  secrets: string[];
  fetchModels(signal: AbortSignal): Promise<ModelInfo[]>;
};

export function createCompatibleAdapter(options: CompatibleAdapterOptions): LlmAdapter {
  return {
    name: options.name,
    defaultModel: options.defaultModel,
    modelsCacheMs: options.modelsCacheMs,
    listsContextLengths: options.listsContextLengths,
    notConfigured: options.notConfigured,
    stream: (request) => streamAttempt(options, request),
    fetchModels: options.fetchModels,
  };
}

/** A URL fit for messages and logs: no user name or password. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}

function requestBody(options: CompatibleAdapterOptions, request: AttemptRequest): ChatCompletionCreateParamsStreaming {
  const { temperature, topP, maxTokens } = request.params ?? {};
  return {
    model: request.model,
    messages: request.messages.map(wireMessage),
    ...(request.tools?.length
      ? {
          tools: request.tools.map((tool) => ({
            type: "function" as const,
            function: { name: tool.name, description: tool.description, parameters: tool.parameters },
          })),
        }
      : {}),
    stream: true,
    stream_options: { include_usage: true },
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    ...options.extraBody,
  };
}

function wireMessage(message: ChatMessage): ChatCompletionMessageParam {
  if (message.role === "tool") return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
  if ("toolCalls" in message) {
    return {
      role: "assistant",
      content: message.content || null,
      tool_calls: message.toolCalls.map((call) => ({
        id: call.id,
        type: "function" as const,
        function: { name: call.name, arguments: call.arguments },
      })),
    };
  }
  return message;
}

/** Tool calls arrive in pieces keyed by index: the first piece names the call, later ones add arguments. */
type PartialCall = { id: string; name: string; arguments: string };

async function streamAttempt(options: CompatibleAdapterOptions, request: AttemptRequest): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  // Our own controller, so a time limit can end the upstream request just as the caller's signal does.
  const upstream = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, upstream.signal]) : upstream.signal;

  // Until the first chunk the request timeout applies; after it, the idle timeout between chunks.
  let phase: "first" | "idle" = "first";
  let timedOut: "first" | "idle" | null = null;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = phase;
      upstream.abort();
    }, ms);
  };

  let tokens = 0;
  let firstTokenMs: number | null = null;
  let finish: "stop" | "length" | "tool_calls" | null = null;
  const calls = new Map<number, PartialCall>();
  let usage: LlmUsage | null = null;
  let callerError: { error: unknown } | null = null;
  let thrown: unknown = null;
  let responded = false;
  let readToEnd = false;

  arm(options.requestTimeoutMs);
  try {
    const stream = await options.client.chat.completions.create(requestBody(options, request), { signal });
    responded = true;
    for await (const chunk of stream) {
      // The SDK may still yield chunks it had buffered; nothing reaches the caller after a stop.
      if (signal.aborted) break;
      phase = "idle";
      arm(options.streamIdleTimeoutMs);
      if (chunk.usage) usage = usageOf(chunk.usage);
      const choice = chunk.choices[0];
      const text = choice?.delta?.content;
      if (text) {
        tokens += 1;
        firstTokenMs ??= elapsed();
        try {
          request.onToken(text);
        } catch (error) {
          // The caller's own failure (e.g. saving the text): stop the upstream request and let it surface as is.
          callerError = { error };
          break;
        }
      }
      for (const piece of choice?.delta?.tool_calls ?? []) {
        const call = calls.get(piece.index) ?? { id: "", name: "", arguments: "" };
        if (piece.id) call.id = piece.id;
        if (piece.function?.name) call.name += piece.function.name;
        if (piece.function?.arguments) call.arguments += piece.function.arguments;
        calls.set(piece.index, call);
      }
      if (choice?.finish_reason) {
        finish =
          choice.finish_reason === "length" ? "length" : choice.finish_reason === "tool_calls" ? "tool_calls" : "stop";
      }
    }
    readToEnd = callerError === null && !signal.aborted;
  } catch (error) {
    thrown = error;
  } finally {
    clearTimeout(timer);
    // Releases the connection when the loop ended early. A stream read to its end has released it
    // already, and aborting it anyway costs every reply an AbortError (stack trace included).
    if (!readToEnd) upstream.abort();
  }

  if (callerError) throw callerError.error;
  const latencyMs = elapsed();
  if (request.signal?.aborted)
    return { ok: true, finish: "aborted", toolCalls: [], usage, firstTokenMs, latencyMs, tokens };
  const fail = (failure: Omit<AttemptFailure, "provider" | "model">): AttemptOutcome => ({
    ok: false,
    failure: { provider: options.name, model: request.model, ...failure },
    latencyMs,
    tokens,
  });
  if (timedOut === "first") {
    return fail({
      reason: "timeout",
      message: `no response within ${seconds(options.requestTimeoutMs)} (LLM_REQUEST_TIMEOUT_MS)`,
    });
  }
  if (timedOut === "idle") {
    return fail({
      reason: "timeout",
      message: `the reply stalled for ${seconds(options.streamIdleTimeoutMs)} (LLM_STREAM_IDLE_TIMEOUT_MS)`,
    });
  }
  if (thrown !== null)
    return fail(classify(thrown, options, request.model, tokens > 0 ? "reply" : responded ? "headers" : "none"));
  // Some servers (Ollama) end a turn of calls with "stop": the calls themselves say what happened.
  const toolCalls: ToolCall[] = [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .filter(([, call]) => call.name !== "")
    .map(([index, call]) => ({ id: call.id || `call_${index}`, name: call.name, arguments: call.arguments }));
  // A stream that ends without a finish reason but without an error is complete as far as we can tell.
  return {
    ok: true,
    finish: toolCalls.length ? "tool_calls" : ((finish === "tool_calls" ? "stop" : finish) ?? "stop"),
    toolCalls,
    usage,
    firstTokenMs,
    latencyMs,
    tokens,
  };
}

function usageOf(usage: NonNullable<ChatCompletionChunk["usage"]>): LlmUsage {
  // OpenRouter adds `cost` (USD) to the usage object; the SDK's type does not know it. The counts are the
  // SDK's type, not a promise: a provider may send a string, a negative, a fraction or more than an int.
  const raw = usage as unknown as Record<string, unknown>;
  const cost = raw.cost;
  return {
    promptTokens: tokenCount(raw.prompt_tokens),
    completionTokens: tokenCount(raw.completion_tokens),
    // A negative cost would take money off the day's usage; a huge one overflowed its sum (COST_MAX).
    cost: typeof cost === "number" && Number.isFinite(cost) ? Math.min(Math.max(cost, 0), COST_MAX) : null,
  };
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

type Classified = { reason: AttemptFailureReason; status?: number; retryAfterSeconds?: number; message: string };

/** How far the response had got: nothing, the HTTP headers, or part of the reply. */
type Progress = "none" | "headers" | "reply";

function classify(error: unknown, options: CompatibleAdapterOptions, model: string, progress: Progress): Classified {
  if (error instanceof APIConnectionTimeoutError) {
    return { reason: "timeout", message: `no response within ${seconds(options.requestTimeoutMs)}` };
  }
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    const detail = providerDetail(error, options.secrets);
    if (status === 429) {
      const retryAfterSeconds = retryAfter(error.headers);
      const when = retryAfterSeconds === undefined ? "" : `; retry in ${retryAfterSeconds} s`;
      return {
        reason: "rate_limited",
        status,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
        message: `rate limited (HTTP 429${when})`,
      };
    }
    if (status >= 500) return { reason: "server_error", status, message: `server error (HTTP ${status}${detail})` };
    const hint =
      status === 401 || status === 403
        ? ` — ${options.authHint}`
        : status === 404
          ? ` — check that the model "${model}" exists`
          : "";
    return { reason: "client_error", status, message: `rejected the request (HTTP ${status}${detail})${hint}` };
  }
  if (error instanceof APIError && !(error instanceof APIConnectionError)) {
    // An error event inside the stream (OpenRouter reports upstream failures this way).
    return { reason: "server_error", message: `reported an error${providerDetail(error, options.secrets)}` };
  }
  if (progress === "reply") return { reason: "interrupted", message: "the connection dropped" };
  if (progress === "headers") return { reason: "connection", message: "the connection dropped before the reply began" };
  const code = errorCode(error);
  if (code === "ECONNREFUSED") {
    return { reason: "connection", message: `connection refused at ${options.endpoint} (${options.connectionHint})` };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return { reason: "connection", message: `cannot resolve ${options.endpoint} (${options.connectionHint})` };
  }
  return { reason: "connection", message: `could not connect to ${options.endpoint} (${options.connectionHint})` };
}

/** The provider's own explanation, trimmed and scrubbed of anything that looks like a key. */
function providerDetail(error: APIError, secrets: string[]): string {
  const body: unknown = error.error;
  let text =
    typeof body === "object" && body !== null && "message" in body && typeof body.message === "string"
      ? body.message
      : error.message.replace(/^\d{3}\s*/, "");
  for (const secret of secrets) if (secret) text = text.split(secret).join("[redacted]");
  text = text
    .replace(/\b(sk|pk|rk)-[\w-]{6,}/g, "[redacted]")
    .replace(/Bearer\s+\S+/gi, "Bearer [redacted]")
    .replace(/\s+/g, " ")
    .trim();
  if (text === "" || /^status code/i.test(text)) return "";
  return `: ${text.length > 200 ? `${text.slice(0, 197)}...` : text}`;
}

/** Seconds from Retry-After (seconds or an HTTP date), or OpenRouter's X-RateLimit-Reset (epoch ms). */
function retryAfter(headers: Headers | undefined): number | undefined {
  const value = headers?.get("retry-after")?.trim();
  if (value) {
    if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  const reset = Number(headers?.get("x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > Date.now()) return Math.ceil((reset - Date.now()) / 1000);
  return undefined;
}

/** The system error code (ECONNREFUSED, …) somewhere down an error's cause chain. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth += 1) {
    if ("code" in current && typeof current.code === "string") return current.code;
    // undici reports a refused connection as an AggregateError (IPv4 and IPv6) whose members carry the code.
    if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0];
    else current = "cause" in current ? current.cause : undefined;
  }
  return undefined;
}
