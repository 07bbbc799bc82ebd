import { createRequire } from "node:module";
import type * as Encoding from "gpt-tokenizer/GptEncoding";
import { config, type Config } from "~/config/env.server";
import { logger } from "~/observability/logger.server";
import { countLlmError, countLlmFallback, countLlmTokens, observeLlmRequest } from "~/observability/metrics.server";
import { LlmStreamInterruptedError, LlmUnavailableError } from "./errors";
import { createOllamaAdapter } from "./ollama.server";
import type { AttemptOutcome, LlmAdapter } from "./openai-compatible.server";
import { readO200kRanks } from "./o200k-ranks.server";
import { createOpenRouterAdapter } from "./openrouter.server";
import type {
  AttemptFailure,
  ChatMessage,
  GenerationParams,
  ModelInfo,
  ProviderName,
  StreamResult,
  ToolDefinition,
} from "./types";

/**
 * Which provider answers a chat request. The preferred provider goes first; when it cannot answer
 * (connection refused, timeout, 429, 5xx) before sending a token, the other one does. A failure after
 * tokens were delivered is not retried elsewhere, and neither is a 4xx (the request itself is wrong).
 */

export type StreamChatRequest = {
  preferred: ProviderName;
  /** For the preferred provider; a fallback uses its own default model. */
  model?: string | null;
  messages: ChatMessage[];
  /** Offered to the model; a model that refuses tools (HTTP 400) is asked again without them. */
  tools?: ToolDefinition[] | undefined;
  params?: GenerationParams;
  signal?: AbortSignal;
  /** Called for each content delta, in order. */
  onToken: (text: string) => void;
};

type LlmSettings = {
  openrouter: { apiKey: string | undefined; baseUrl: string; model: string; modelsCacheMs: number };
  ollama: { url: string; model: string; modelsCacheMs: number };
  requestTimeoutMs: number;
  streamIdleTimeoutMs: number;
};

export type LlmRouter = {
  streamChat(request: StreamChatRequest): Promise<StreamResult>;
  defaultModel(provider: ProviderName): string;
  listModels(provider: ProviderName): Promise<ModelInfo[]>;
  contextWindow(provider: ProviderName, model: string): Promise<number>;
};

const PROVIDERS: readonly ProviderName[] = ["openrouter", "ollama"];
/** Assumed when a model's context length is unknown: small enough for any current chat model. */
const DEFAULT_CONTEXT_WINDOW = 8192;
/** A model list is for a page render; it must not hold one up for long. */
const MODEL_LIST_TIMEOUT_MS = 5_000;
/** An unreachable provider is asked again after this, not on every page. */
const FAILED_MODEL_LIST_CACHE_MS = 30_000;

const log = logger.child({ channel: "llm" });

export function settingsFromConfig(values: Config): LlmSettings {
  return {
    openrouter: {
      apiKey: values.openrouterApiKey,
      baseUrl: values.openrouterBaseUrl,
      model: values.openrouterModel,
      modelsCacheMs: 60 * 60_000,
    },
    ollama: { url: values.ollamaUrl, model: values.ollamaModel, modelsCacheMs: 60_000 },
    requestTimeoutMs: values.llmRequestTimeoutMs,
    streamIdleTimeoutMs: values.llmStreamIdleTimeoutMs,
  };
}

/** Preferred first, then the other. */
export function providerOrder(preferred: ProviderName): ProviderName[] {
  return [preferred, ...PROVIDERS.filter((name) => name !== preferred)];
}

let encode: ((text: string) => number[]) | undefined;

/**
 * Tokens in `text` (OpenAI's o200k encoding): an estimate for other models, good enough for budgets.
 * The encoding's tables take ~40 MB of RSS and only prompts near the context window and summaries are
 * counted, so they are loaded on first use rather than by every idle process.
 */
export function countTokens(text: string): number {
  if (text === "") return 0;
  if (encode === undefined) {
    const { GptEncoding } = createRequire(import.meta.url)("gpt-tokenizer/GptEncoding") as typeof Encoding;
    const encoding = GptEncoding.getEncodingApi("o200k_base", readO200kRanks);
    encode = (input) => encoding.encode(input);
  }
  return encode(text).length;
}

type CachedList = { models: ModelInfo[]; expiresAt: number } | { pending: Promise<ModelInfo[]> };

/** A router over its own adapters and model-list cache; the app uses the one built from config. */
export function createLlmRouter(settings: LlmSettings): LlmRouter {
  const timeouts = { requestTimeoutMs: settings.requestTimeoutMs, streamIdleTimeoutMs: settings.streamIdleTimeoutMs };
  const adapters: Record<ProviderName, LlmAdapter> = {
    openrouter: createOpenRouterAdapter({ ...settings.openrouter, ...timeouts }),
    ollama: createOllamaAdapter({ ...settings.ollama, ...timeouts }),
  };
  const modelLists = new Map<ProviderName, CachedList>();

  async function streamChat(request: StreamChatRequest): Promise<StreamResult> {
    const started = performance.now();
    const sinceStart = (): number => Math.round(performance.now() - started);
    const attempts: AttemptFailure[] = [];

    for (const name of providerOrder(request.preferred)) {
      const adapter = adapters[name];
      const isPreferred = name === request.preferred;
      const model = (isPreferred ? request.model?.trim() : undefined) || adapter.defaultModel;
      const fallbackFrom = isPreferred ? null : request.preferred;

      if (adapter.notConfigured) {
        attempts.push({ provider: name, model, reason: "not_configured", message: adapter.notConfigured });
        log.debug({ provider: name, model, outcome: "not_configured" }, "LLM provider skipped");
        continue;
      }
      if (request.signal?.aborted) {
        const latencyMs = sinceStart();
        return {
          provider: name,
          model,
          fallbackFrom,
          usage: null,
          finish: "aborted",
          toolCalls: [],
          toolsRefused: false,
          latencyMs,
          firstTokenMs: null,
        };
      }

      const attemptStarted = sinceStart();
      const attempt = (tools: ToolDefinition[] | undefined) =>
        adapter.stream({
          model,
          messages: request.messages,
          tools,
          params: request.params,
          signal: request.signal,
          onToken: request.onToken,
        });
      let outcome = await attempt(request.tools);
      let toolsRefused = false;
      // Models without tool support (Ollama answers 400 "does not support tools") still answer in words.
      if (!outcome.ok && outcome.failure.reason === "client_error" && outcome.tokens === 0 && request.tools?.length) {
        log.info({ provider: name, model, status: outcome.failure.status }, "LLM refused tools; asking without them");
        toolsRefused = true;
        outcome = await attempt(undefined);
      }
      record(name, model, await metricModel(name, model), fallbackFrom, outcome);

      if (outcome.ok) {
        if (fallbackFrom) countLlmFallback(fallbackFrom, name);
        return {
          provider: name,
          model,
          fallbackFrom,
          usage: outcome.usage,
          finish: outcome.finish,
          toolCalls: outcome.toolCalls,
          toolsRefused,
          latencyMs: sinceStart(),
          firstTokenMs: outcome.firstTokenMs === null ? null : attemptStarted + outcome.firstTokenMs,
        };
      }
      // The caller already shows part of this reply: another model must not continue it.
      if (outcome.tokens > 0) throw new LlmStreamInterruptedError(outcome.failure);
      attempts.push(outcome.failure);
      if (outcome.failure.reason === "client_error") break;
    }
    throw new LlmUnavailableError(attempts);
  }

  /** Metric labels name only models the provider lists (or its default): anyone can type a model name. */
  async function metricModel(provider: ProviderName, model: string): Promise<string> {
    if (model === adapters[provider].defaultModel) return model;
    const known = await listModels(provider);
    return known.some((entry) => entry.id === model) ? model : "other";
  }

  async function listModels(provider: ProviderName): Promise<ModelInfo[]> {
    const adapter = adapters[provider];
    if (adapter.notConfigured) return [];
    const cached = modelLists.get(provider);
    if (cached && "pending" in cached) return cached.pending;
    if (cached && cached.expiresAt > Date.now()) return cached.models;

    // One request at a time per provider, however many pages render at once.
    const pending = adapter
      .fetchModels(AbortSignal.timeout(MODEL_LIST_TIMEOUT_MS))
      .then((models) => {
        modelLists.set(provider, { models, expiresAt: Date.now() + adapter.modelsCacheMs });
        return models;
      })
      .catch((error: unknown) => {
        log.warn({ provider, err: error }, "LLM model list unavailable");
        const retryIn = Math.min(adapter.modelsCacheMs, FAILED_MODEL_LIST_CACHE_MS);
        modelLists.set(provider, { models: [], expiresAt: Date.now() + retryIn });
        return [];
      });
    modelLists.set(provider, { pending });
    return pending;
  }

  return {
    streamChat,
    defaultModel: (provider) => adapters[provider].defaultModel,
    listModels,
    // On the path to the first token, so it waits for a model list only when nothing was ever fetched:
    // a provider whose list has no context lengths (Ollama) is never asked, and an expired list is used
    // while a fresh one is fetched in the background.
    async contextWindow(provider, model) {
      const adapter = adapters[provider];
      if (!adapter.listsContextLengths || adapter.notConfigured) return DEFAULT_CONTEXT_WINDOW;
      const cached = modelLists.get(provider);
      let models: ModelInfo[];
      if (cached && "models" in cached) {
        if (cached.expiresAt <= Date.now()) void listModels(provider);
        models = cached.models;
      } else {
        models = await listModels(provider);
      }
      return models.find((entry) => entry.id === model)?.contextLength ?? DEFAULT_CONTEXT_WINDOW;
    },
  };
}

function record(
  provider: ProviderName,
  model: string,
  modelLabel: string,
  fallbackFrom: ProviderName | null,
  outcome: AttemptOutcome,
): void {
  const seconds = outcome.latencyMs / 1000;
  const labels = { provider, model: modelLabel };
  if (outcome.ok) {
    const aborted = outcome.finish === "aborted";
    observeLlmRequest({ ...labels, outcome: aborted ? "cancelled" : "ok" }, seconds);
    if (outcome.usage) {
      countLlmTokens({ ...labels, kind: "prompt" }, outcome.usage.promptTokens);
      countLlmTokens({ ...labels, kind: "completion" }, outcome.usage.completionTokens);
    }
    log.info(
      {
        provider,
        model,
        outcome: outcome.finish,
        fallbackFrom,
        latencyMs: outcome.latencyMs,
        firstTokenMs: outcome.firstTokenMs,
        promptTokens: outcome.usage?.promptTokens,
        completionTokens: outcome.usage?.completionTokens,
        cost: outcome.usage?.cost,
      },
      "LLM reply",
    );
    return;
  }
  const { reason, status } = outcome.failure;
  observeLlmRequest({ ...labels, outcome: "error" }, seconds);
  countLlmError({ ...labels, reason });
  log.warn(
    {
      provider,
      model,
      outcome: reason,
      status,
      latencyMs: outcome.latencyMs,
      tokensDelivered: outcome.tokens,
      error: outcome.failure.message,
    },
    "LLM attempt failed",
  );
}

let defaultRouter: LlmRouter | undefined;

function router(): LlmRouter {
  defaultRouter ??= createLlmRouter(settingsFromConfig(config()));
  return defaultRouter;
}

/**
 * Streams a reply from the preferred provider, falling back to the other before the first token.
 * Resolves with finish "aborted" when `signal` fires. Throws LlmUnavailableError when no provider
 * answered, LlmStreamInterruptedError when the reply broke off after tokens were delivered.
 */
export function streamChat(request: StreamChatRequest): Promise<StreamResult> {
  return router().streamChat(request);
}

/** The provider tried first for someone without a preference (LLM_PRIMARY_PROVIDER). */
export function primaryProvider(): ProviderName {
  return config().llmPrimaryProvider;
}

export function defaultModel(provider: ProviderName): string {
  return router().defaultModel(provider);
}

/** Cached (OpenRouter 1 h, Ollama 60 s); [] when the provider is unreachable or not configured. */
export function listModels(provider: ProviderName): Promise<ModelInfo[]> {
  return router().listModels(provider);
}

/** The model's context window in tokens, from the model list; 8192 when unknown. */
export function contextWindow(provider: ProviderName, model: string): Promise<number> {
  return router().contextWindow(provider, model);
}
