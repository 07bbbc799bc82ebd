import OpenAI from "openai";
import { z } from "zod";
import { createCompatibleAdapter, displayUrl, type LlmAdapter } from "./openai-compatible.server";

type OpenRouterSettings = {
  apiKey: string | undefined;
  /** OpenAI-compatible base URL, e.g. https://openrouter.ai/api/v1 (no trailing slash). */
  baseUrl: string;
  model: string;
  requestTimeoutMs: number;
  streamIdleTimeoutMs: number;
  modelsCacheMs: number;
};

const modelsSchema = z.object({
  data: z.array(z.object({ id: z.string(), context_length: z.number().positive().nullish().catch(null) })),
});

/** OpenRouter: hosted models behind one API key; reports cost per request. */
export function createOpenRouterAdapter(settings: OpenRouterSettings): LlmAdapter {
  const client = new OpenAI({
    baseURL: settings.baseUrl,
    // Never sent without a key: the router skips an adapter that is not configured.
    apiKey: settings.apiKey ?? "not-configured",
    maxRetries: 0, // The router decides what happens after a failure.
    logLevel: "off", // Attempts are logged by the router, with the key kept out.
    defaultHeaders: {
      // OpenRouter attributes requests to an app by these; a self-hosted instance has no public URL.
      "HTTP-Referer": "http://localhost",
      "X-Title": "ARES",
    },
  });
  return createCompatibleAdapter({
    name: "openrouter",
    client,
    defaultModel: settings.model,
    modelsCacheMs: settings.modelsCacheMs,
    listsContextLengths: true,
    notConfigured: settings.apiKey ? null : "not configured (set OPENROUTER_API_KEY)",
    endpoint: displayUrl(settings.baseUrl),
    connectionHint: "check the network or OPENROUTER_BASE_URL",
    authHint: "check OPENROUTER_API_KEY",
    requestTimeoutMs: settings.requestTimeoutMs,
    streamIdleTimeoutMs: settings.streamIdleTimeoutMs,
    // OpenRouter's usage accounting: the final chunk then carries `usage.cost`.
    extraBody: { usage: { include: true } },
    secrets: settings.apiKey ? [settings.apiKey] : [],
    async fetchModels(signal) {
      const response = await fetch(`${settings.baseUrl}/models`, {
        headers: { Authorization: `Bearer ${settings.apiKey ?? ""}` },
        signal,
      });
      if (!response.ok) throw new Error(`GET /models answered ${response.status}`);
      const { data } = modelsSchema.parse(await response.json());
      return data.map((model) => ({
        id: model.id,
        contextLength: model.context_length ? Math.floor(model.context_length) : null,
      }));
    },
  });
}
