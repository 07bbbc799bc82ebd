import OpenAI from "openai";
import { z } from "zod";
import { createCompatibleAdapter, displayUrl, type LlmAdapter } from "./openai-compatible.server";

type OllamaSettings = {
  /** Ollama's own URL, e.g. http://127.0.0.1:11434 (no trailing slash); chat goes to its /v1 API. */
  url: string;
  model: string;
  requestTimeoutMs: number;
  streamIdleTimeoutMs: number;
  modelsCacheMs: number;
};

const tagsSchema = z.object({ models: z.array(z.object({ name: z.string() })) });

/** Ollama: local models through its OpenAI-compatible API; always worth trying (no key needed). */
export function createOllamaAdapter(settings: OllamaSettings): LlmAdapter {
  const client = new OpenAI({
    baseURL: `${settings.url}/v1`,
    apiKey: "ollama", // Required by the SDK, ignored by Ollama.
    maxRetries: 0, // The router decides what happens after a failure.
    logLevel: "off",
  });
  return createCompatibleAdapter({
    name: "ollama",
    client,
    defaultModel: settings.model,
    modelsCacheMs: settings.modelsCacheMs,
    listsContextLengths: false,
    notConfigured: null,
    endpoint: displayUrl(settings.url),
    connectionHint: "start Ollama or set OLLAMA_URL",
    authHint: "check the proxy in front of Ollama",
    requestTimeoutMs: settings.requestTimeoutMs,
    streamIdleTimeoutMs: settings.streamIdleTimeoutMs,
    secrets: [],
    async fetchModels(signal) {
      // /api/tags is Ollama's native list; it names models but does not say their context length.
      const response = await fetch(`${settings.url}/api/tags`, { signal });
      if (!response.ok) throw new Error(`GET /api/tags answered ${response.status}`);
      const { models } = tagsSchema.parse(await response.json());
      return models.map((model) => ({ id: model.name, contextLength: null }));
    },
  });
}
