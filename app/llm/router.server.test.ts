import { createServer } from "node:http";
import { type AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startStubLlm, stubReplyFor, tokenize, type StubLlm } from "../../e2e/stand-ins/llm-server";
import { parseConfig, type Environment } from "~/config/env.server";
import { metricsRegistry } from "~/observability/metrics.server";
import { LlmStreamInterruptedError, LlmUnavailableError } from "./errors";
import {
  countTokens,
  createLlmRouter,
  providerOrder,
  settingsFromConfig,
  type LlmRouter,
  type StreamChatRequest,
} from "./router.server";
import type { StreamResult } from "./types";

/**
 * The router against two stand-ins, one per provider, configured from environment variables the way
 * the app's own router is. Markers with `only=<name>` make one provider misbehave while the other answers.
 */

const API_KEY = "sk-or-v1-router-test-key-never-shown";
let openrouter: StubLlm;
let ollama: StubLlm;
let closedPort: number;
let environment: Environment;
/** Built from `environment`; a router per test file, so its model-list cache is this file's own. */
let llm: LlmRouter;

function routerFromEnv(overrides: Environment = {}): LlmRouter {
  return createLlmRouter(settingsFromConfig(parseConfig({ NODE_ENV: "test", ...environment, ...overrides })));
}

/** A port nothing listens on: connections to it are refused at once. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  openrouter = await startStubLlm({ name: "openrouter", behaviour: { requireApiKey: API_KEY } });
  ollama = await startStubLlm({ name: "ollama", behaviour: { costPerToken: 0 } });
  closedPort = await freePort();
  environment = {
    OPENROUTER_API_KEY: API_KEY,
    OPENROUTER_BASE_URL: `${openrouter.url}/v1`,
    OPENROUTER_MODEL: "stub/large",
    OLLAMA_URL: ollama.url,
    OLLAMA_MODEL: "stub/small",
    LLM_REQUEST_TIMEOUT_MS: "500",
    LLM_STREAM_IDLE_TIMEOUT_MS: "400",
  };
  llm = routerFromEnv();
});

afterEach(() => {
  openrouter.reset();
  ollama.reset();
});

afterAll(async () => {
  await Promise.all([openrouter.close(), ollama.close()]);
});

const chatRequests = (stub: StubLlm) => stub.requests.filter((request) => request.path === "/v1/chat/completions");

type Collected = { tokens: string[]; result: StreamResult };

async function ask(
  content: string,
  options: Partial<StreamChatRequest> = {},
  via: LlmRouter = llm,
): Promise<Collected> {
  const tokens: string[] = [];
  const result = await via.streamChat({
    preferred: "openrouter",
    messages: [
      { role: "system", content: "You are a test." },
      { role: "user", content },
    ],
    onToken: (text) => tokens.push(text),
    ...options,
  });
  return { tokens, result };
}

/** The error `run` rejects with. */
async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

function routerWith(overrides: { openrouterUrl?: string; apiKey?: string; ollamaUrl?: string }): LlmRouter {
  return routerFromEnv({
    ...(overrides.openrouterUrl ? { OPENROUTER_BASE_URL: overrides.openrouterUrl } : {}),
    ...("apiKey" in overrides ? { OPENROUTER_API_KEY: overrides.apiKey ?? "" } : {}),
    ...(overrides.ollamaUrl ? { OLLAMA_URL: overrides.ollamaUrl } : {}),
  });
}

const WEATHER_TOOL = {
  name: "get_weather",
  description: "The weather in a city.",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

describe("tools", () => {
  it("offers tools in OpenAI's format and returns the calls the model streamed in pieces", async () => {
    const { tokens, result } = await ask('[[stub:tool=get_weather,args={"city":"Berlin, DE"}]] weather?', {
      tools: [WEATHER_TOOL],
    });
    expect(tokens).toEqual([]);
    expect(result.finish).toBe("tool_calls");
    expect(result.toolCalls).toEqual([
      { id: expect.any(String), name: "get_weather", arguments: '{"city":"Berlin, DE"}' },
    ]);
    const body = chatRequests(openrouter)[0]!.body as { tools: unknown[] };
    expect(body.tools).toEqual([{ type: "function", function: WEATHER_TOOL }]);
  });

  it("sends the calls and their results back, and the model answers from them", async () => {
    const { tokens, result } = await ask("weather?", {
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: '[[stub:tool=get_weather,args={"city":"Oslo"}]] weather?' },
        {
          role: "assistant",
          content: "",
          toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Oslo"}' }],
        },
        { role: "tool", toolCallId: "call_1", content: '{"sky":"snow"}' },
      ],
    });
    expect(result.finish).toBe("stop");
    expect(tokens.join("")).toBe('The tool answered: {"sky":"snow"}');
    const body = chatRequests(openrouter)[0]!.body as { messages: unknown[] };
    expect(body.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"sky":"snow"}' },
    ]);
  });

  it("asks a model that refuses tools (HTTP 400) again without them, on the same provider", async () => {
    const { tokens, result } = await ask("[[stub:notools=1]] hello", { tools: [WEATHER_TOOL] });
    expect(result).toMatchObject({ provider: "openrouter", finish: "stop", toolsRefused: true, fallbackFrom: null });
    expect(tokens.join("")).toBe(stubReplyFor("hello"));
    const [refused, plain] = chatRequests(openrouter);
    expect((refused!.body as { tools?: unknown }).tools).toBeDefined();
    expect((plain!.body as { tools?: unknown }).tools).toBeUndefined();
    expect(chatRequests(ollama)).toHaveLength(0);
  });
});

describe("streaming", () => {
  it("delivers every token in order and reports provider, model, usage and cost", async () => {
    const { tokens, result } = await ask("Tell me something");

    const expected = stubReplyFor("Tell me something");
    expect(tokens).toEqual(tokenize(expected));
    expect(tokens.join("")).toBe(expected);
    expect(result).toEqual({
      provider: "openrouter",
      model: "stub/large",
      fallbackFrom: null,
      usage: { promptTokens: 7, completionTokens: tokens.length, cost: expect.closeTo((7 + tokens.length) * 1e-6, 12) },
      finish: "stop",
      toolCalls: [],
      toolsRefused: false,
      latencyMs: expect.any(Number),
      firstTokenMs: expect.any(Number),
    });
    expect(result.firstTokenMs).toBeLessThanOrEqual(result.latencyMs);
    expect(chatRequests(ollama)).toHaveLength(0);
  });

  it("sends a streaming request with usage accounting, the chosen model and generation params", async () => {
    await ask("params", { model: "stub/small", params: { temperature: 0.3, topP: 0.9, maxTokens: 500 } });

    const [request] = chatRequests(openrouter);
    expect(request?.headers).toMatchObject({
      authorization: `Bearer ${API_KEY}`,
      "http-referer": expect.any(String),
      "x-title": "ARES",
    });
    expect(request?.body).toMatchObject({
      model: "stub/small",
      stream: true,
      stream_options: { include_usage: true },
      usage: { include: true },
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 500,
    });
  });

  it("reports finish length when maxTokens cuts the reply", async () => {
    const { tokens, result } = await ask("long", { params: { maxTokens: 2 } });
    expect(tokens).toHaveLength(2);
    expect(result.finish).toBe("length");
  });

  it("streams from Ollama's OpenAI-compatible API when Ollama is preferred", async () => {
    const { tokens, result } = await ask("local please", { preferred: "ollama" });
    expect(tokens.join("")).toBe(stubReplyFor("local please"));
    expect(result).toMatchObject({ provider: "ollama", model: "stub/small", fallbackFrom: null, finish: "stop" });
    expect(result.usage).toMatchObject({ completionTokens: tokens.length });
    expect(chatRequests(ollama)[0]?.body).not.toHaveProperty("usage");
    expect(chatRequests(openrouter)).toHaveLength(0);
  });
});

describe("fallback before the first token", () => {
  it.each([
    ["500", "[[stub:fail=500,only=openrouter]]", "server_error"],
    ["429", "[[stub:fail=429,retry=9,only=openrouter]]", "rate_limited"],
    ["a hang (first-token timeout)", "[[stub:fail=hang,only=openrouter]]", "timeout"],
    ["a connection dropped before any token", "[[stub:fail=drop,after=0,only=openrouter]]", "connection"],
  ])("on %s the other provider answers with its default model", async (_case, marker) => {
    const { tokens, result } = await ask(`Fall back ${marker}`, { model: "stub/large" });

    expect(tokens.join("")).toBe(stubReplyFor("Fall back"));
    expect(result).toMatchObject({
      provider: "ollama",
      model: "stub/small",
      fallbackFrom: "openrouter",
      finish: "stop",
    });
    expect(chatRequests(openrouter)).toHaveLength(1);
    expect(chatRequests(ollama)).toHaveLength(1);
  });

  it("counts the fallback in the metrics", async () => {
    await ask("[[stub:fail=500,only=openrouter]] again");
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/ares_llm_fallbacks_total\{from="openrouter",to="ollama"\} [1-9]/);
    expect(text).toMatch(
      /ares_llm_errors_total\{provider="openrouter",model="stub\/large",reason="server_error"\} [1-9]/,
    );
  });

  it("on connection refused, in either direction", async () => {
    const refusedOpenRouter = routerWith({ openrouterUrl: `http://127.0.0.1:${closedPort}/v1` });
    const first = await ask("anyone?", {}, refusedOpenRouter);
    expect(first.result).toMatchObject({ provider: "ollama", fallbackFrom: "openrouter" });
    expect(first.tokens.join("")).toBe(stubReplyFor("anyone?"));

    const refusedOllama = routerWith({ ollamaUrl: `http://127.0.0.1:${closedPort}` });
    const second = await ask("anyone?", { preferred: "ollama" }, refusedOllama);
    expect(second.result).toMatchObject({ provider: "openrouter", model: "stub/large", fallbackFrom: "ollama" });
  });

  it("skips OpenRouter without an API key, without a network call", async () => {
    const keyless = routerWith({ apiKey: undefined });
    const { result } = await ask("no key", {}, keyless);
    expect(result).toMatchObject({ provider: "ollama", fallbackFrom: "openrouter" });
    expect(openrouter.requests).toHaveLength(0);
  });

  it.each([
    [400, "rejected the request (HTTP 400: Stub failure: bad request)"],
    [401, "check OPENROUTER_API_KEY"],
  ])("not on %s: the request is at fault, so no other provider is tried", async (status, wording) => {
    const error = await rejection(() => ask(`[[stub:fail=${status},only=openrouter]] bad`));

    expect(error).toBeInstanceOf(LlmUnavailableError);
    if (!(error instanceof LlmUnavailableError)) return;
    expect(error.attempts).toEqual([
      { provider: "openrouter", model: "stub/large", reason: "client_error", status, message: expect.any(String) },
    ]);
    expect(error.message).toContain(wording);
    expect(error.message).not.toContain(API_KEY);
    expect(error.retryAfterSeconds).toBeNull();
    expect(chatRequests(ollama)).toHaveLength(0);
  });
  it("never shows the API key, even when the provider echoes it back", async () => {
    // Some APIs quote the key they refused; that text must not reach users.
    const echoing = createServer((req, res) => {
      res.writeHead(401, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization}` } }));
    });
    await new Promise<void>((resolve) => echoing.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = echoing.address() as AddressInfo;
      const error = await rejection(() => ask("hi", {}, routerWith({ openrouterUrl: `http://127.0.0.1:${port}/v1` })));
      expect(error).toBeInstanceOf(LlmUnavailableError);
      if (!(error instanceof LlmUnavailableError)) return;
      expect(error.message).toContain("Incorrect API key provided: Bearer [redacted]");
      expect(JSON.stringify(error.attempts)).not.toContain(API_KEY);
      expect(error.message).not.toContain("sk-or-v1");
    } finally {
      echoing.closeAllConnections();
      await new Promise<void>((resolve) => echoing.close(() => resolve()));
    }
  });
});

describe("when no provider answers", () => {
  it("says what to configure for each provider", async () => {
    const nothing = routerWith({ apiKey: undefined, ollamaUrl: `http://127.0.0.1:${closedPort}` });
    const error = await rejection(() => ask("hello?", {}, nothing));

    expect(error).toBeInstanceOf(LlmUnavailableError);
    if (!(error instanceof LlmUnavailableError)) return;
    expect(error.message).toBe(
      "No model provider answered. OpenRouter: not configured (set OPENROUTER_API_KEY). " +
        `Ollama: connection refused at http://127.0.0.1:${closedPort} (start Ollama or set OLLAMA_URL).`,
    );
    expect(error.attempts.map((attempt) => [attempt.provider, attempt.reason])).toEqual([
      ["openrouter", "not_configured"],
      ["ollama", "connection"],
    ]);
  });

  it("lists both failures and passes on Retry-After when both are rate limited", async () => {
    const error = await rejection(() => ask("[[stub:fail=429,retry=7]] busy"));

    expect(error).toBeInstanceOf(LlmUnavailableError);
    if (!(error instanceof LlmUnavailableError)) return;
    expect(error.attempts).toEqual([
      expect.objectContaining({ provider: "openrouter", reason: "rate_limited", status: 429, retryAfterSeconds: 7 }),
      expect.objectContaining({ provider: "ollama", reason: "rate_limited", status: 429, retryAfterSeconds: 7 }),
    ]);
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.message).toMatch(/^No model provider answered\. OpenRouter: rate limited .*\. Ollama: rate limited/);
  });

  it("reports server errors and timeouts from both", async () => {
    const error = await rejection(() => ask("[[stub:fail=500,only=openrouter]] [[stub:fail=hang,only=ollama]] broken"));
    expect(error).toBeInstanceOf(LlmUnavailableError);
    if (!(error instanceof LlmUnavailableError)) return;
    expect(error.attempts.map((attempt) => attempt.reason)).toEqual(["server_error", "timeout"]);
    expect(error.message).toContain("LLM_REQUEST_TIMEOUT_MS");
  });
});

describe("after tokens were delivered", () => {
  it("a dropped stream throws LlmStreamInterruptedError and the partial text stays with the caller", async () => {
    const tokens: string[] = [];
    const error = await rejection(() =>
      llm.streamChat({
        preferred: "openrouter",
        messages: [{ role: "user", content: "Cut me off [[stub:fail=drop,after=3]]" }],
        onToken: (text) => tokens.push(text),
      }),
    );

    expect(error).toBeInstanceOf(LlmStreamInterruptedError);
    if (!(error instanceof LlmStreamInterruptedError)) return;
    expect(tokens).toEqual(tokenize(stubReplyFor("Cut me off")).slice(0, 3));
    expect(error).toMatchObject({ provider: "openrouter", model: "stub/large", failure: { reason: "interrupted" } });
    expect(chatRequests(ollama)).toHaveLength(0);
  });

  it("a stall longer than the idle timeout is an interruption with reason timeout", async () => {
    const tokens: string[] = [];
    const error = await rejection(() =>
      llm.streamChat({
        preferred: "ollama",
        messages: [{ role: "user", content: "Stall [[stub:first=0,delay=5000]]" }],
        onToken: (text) => tokens.push(text),
      }),
    );
    expect(error).toBeInstanceOf(LlmStreamInterruptedError);
    expect(error).toMatchObject({ provider: "ollama", failure: { reason: "timeout" } });
    expect(tokens).toHaveLength(1);
    expect(chatRequests(openrouter)).toHaveLength(0);
  });
});

describe("stopping", () => {
  it("aborting mid-stream resolves with finish aborted and closes the upstream connection", async () => {
    const controller = new AbortController();
    const tokens: string[] = [];
    const result = await llm.streamChat({
      preferred: "openrouter",
      messages: [{ role: "user", content: "Talk slowly [[stub:delay=30]]" }],
      signal: controller.signal,
      onToken: (text) => {
        tokens.push(text);
        if (tokens.length === 2) controller.abort();
      },
    });

    expect(result).toMatchObject({ provider: "openrouter", finish: "aborted", fallbackFrom: null });
    expect(tokens).toHaveLength(2);
    await expect.poll(() => chatRequests(openrouter)[0]?.closedEarly, { timeout: 5000 }).toBe(true);
    expect(chatRequests(ollama)).toHaveLength(0);
  });

  it("aborting before the first token does not fall back", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const { tokens, result } = await ask("[[stub:first=300]] wait", { signal: controller.signal });
    expect(result.finish).toBe("aborted");
    expect(tokens).toEqual([]);
    expect(chatRequests(ollama)).toHaveLength(0);
  });

  it("an already aborted signal sends nothing", async () => {
    const { result } = await ask("never", { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ finish: "aborted", usage: null, firstTokenMs: null });
    expect(chatRequests(openrouter)).toHaveLength(0);
  });

  it("an error thrown by onToken stops the stream and reaches the caller unchanged", async () => {
    const failure = new Error("could not save");
    const error = await rejection(() =>
      llm.streamChat({
        preferred: "openrouter",
        messages: [{ role: "user", content: "x" }],
        onToken: () => {
          throw failure;
        },
      }),
    );
    expect(error).toBe(failure);
    expect(chatRequests(ollama)).toHaveLength(0);
  });
});

describe("model lists", () => {
  const listRequests = (stub: StubLlm, path: string) => stub.requests.filter((request) => request.path === path);

  it("come from OpenRouter's /models and Ollama's /api/tags, and are cached", async () => {
    const router = routerWith({});

    expect(await router.listModels("openrouter")).toEqual([
      { id: "stub/small", contextLength: 4096 },
      { id: "stub/large", contextLength: 32768 },
    ]);
    expect(await router.listModels("ollama")).toEqual([
      { id: "stub/small", contextLength: null },
      { id: "stub/large", contextLength: null },
    ]);
    expect(listRequests(openrouter, "/v1/models")).toHaveLength(1);
    expect(listRequests(ollama, "/api/tags")).toHaveLength(1);

    await router.listModels("openrouter");
    await router.listModels("ollama");
    await Promise.all([router.listModels("openrouter"), router.contextWindow("openrouter", "stub/small")]);
    expect(listRequests(openrouter, "/v1/models")).toHaveLength(1);
    expect(listRequests(ollama, "/api/tags")).toHaveLength(1);
  });

  it("share one request between concurrent callers", async () => {
    const router = routerWith({});
    await Promise.all([router.listModels("ollama"), router.listModels("ollama"), router.listModels("ollama")]);
    expect(listRequests(ollama, "/api/tags")).toHaveLength(1);
  });

  it("are empty when the provider is unreachable or not configured, and chat still works", async () => {
    const unreachable = routerWith({
      openrouterUrl: `http://127.0.0.1:${closedPort}/v1`,
      ollamaUrl: `http://127.0.0.1:${closedPort}`,
    });
    await expect(unreachable.listModels("openrouter")).resolves.toEqual([]);
    await expect(unreachable.listModels("ollama")).resolves.toEqual([]);
    await expect(unreachable.contextWindow("ollama", "llama3.2")).resolves.toBe(8192);

    const keyless = routerWith({ apiKey: undefined });
    await expect(keyless.listModels("openrouter")).resolves.toEqual([]);
    expect(openrouter.requests).toHaveLength(0);

    ollama.configure({ models: [] });
    const { result } = await ask("no models listed", { preferred: "ollama" }, routerWith({}));
    expect(result.provider).toBe("ollama");
  });

  it("give context windows, with 8192 for unknown models", async () => {
    await expect(llm.contextWindow("openrouter", "stub/large")).resolves.toBe(32768);
    await expect(llm.contextWindow("openrouter", "stub/small")).resolves.toBe(4096);
    await expect(llm.contextWindow("openrouter", "not/listed")).resolves.toBe(8192);
    await expect(llm.contextWindow("ollama", "stub/small")).resolves.toBe(8192);
    await expect(llm.listModels("ollama")).resolves.toHaveLength(2);
  });

  it("are not fetched on the way to a reply when they cannot change it", async () => {
    const router = routerWith({});
    // Ollama's list has no context lengths: asking it would only delay the first token.
    await expect(router.contextWindow("ollama", "stub/small")).resolves.toBe(8192);
    expect(listRequests(ollama, "/api/tags")).toHaveLength(0);
  });
});

describe("configuration", () => {
  it("orders providers and names each one's default model", () => {
    expect(providerOrder("openrouter")).toEqual(["openrouter", "ollama"]);
    expect(providerOrder("ollama")).toEqual(["ollama", "openrouter"]);
    expect(llm.defaultModel("openrouter")).toBe("stub/large");
    expect(llm.defaultModel("ollama")).toBe("stub/small");
  });

  it("defaults: OpenRouter first only with a key, openrouter/auto and llama3.2, 60 s and 30 s", () => {
    const keyless = parseConfig({ NODE_ENV: "test" });
    expect(keyless).toMatchObject({
      llmPrimaryProvider: "ollama",
      openrouterModel: "openrouter/auto",
      ollamaModel: "llama3.2",
      llmRequestTimeoutMs: 60_000,
      llmStreamIdleTimeoutMs: 30_000,
    });
    expect(parseConfig({ NODE_ENV: "test", OPENROUTER_API_KEY: "sk-x" }).llmPrimaryProvider).toBe("openrouter");
    expect(
      parseConfig({ NODE_ENV: "test", OPENROUTER_API_KEY: "sk-x", LLM_PRIMARY_PROVIDER: "ollama" }).llmPrimaryProvider,
    ).toBe("ollama");
    expect(() => parseConfig({ NODE_ENV: "test", LLM_PRIMARY_PROVIDER: "openai" })).toThrow(/LLM_PRIMARY_PROVIDER/);
  });
});

describe("countTokens", () => {
  it("counts tokens the way a budget needs", () => {
    expect(countTokens("")).toBe(0);
    expect(countTokens("hello world")).toBe(2);
    const paragraph = "The quick brown fox jumps over the lazy dog. ".repeat(20);
    const count = countTokens(paragraph);
    expect(count).toBeGreaterThan(150);
    expect(count).toBeLessThan(paragraph.length / 2);
    expect(countTokens(`${paragraph}\n${paragraph}`)).toBeGreaterThan(count * 1.9);
  });
});

describe("finding 7: metric labels", () => {
  it("finding 7: a model name nobody lists is counted as `other`, a listed one by its name", async () => {
    const invented = `ollama-junk-${Math.random().toString(36).slice(2, 10)}`;
    await ask("hello", { preferred: "openrouter", model: invented });
    await ask("hello", { preferred: "openrouter", model: "stub/small" });
    const text = await metricsRegistry.metrics();
    expect(text).not.toContain(invented);
    expect(text).toMatch(
      /ares_llm_request_duration_seconds_count\{provider="openrouter",model="other",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(
      /ares_llm_request_duration_seconds_count\{provider="openrouter",model="stub\/small",outcome="ok"\} [1-9]/,
    );
  });
});
