/**
 * `npm run dev:llm`: runs the stub LLM server on a fixed port for local development and Playwright.
 *
 * Environment (all optional):
 *   STUB_LLM_PORT                  port on 127.0.0.1 (default 11500)
 *   STUB_LLM_NAME                  which service it stands in for; `[[stub:...,only=<name>]]` markers target it
 *   STUB_LLM_TOKEN_DELAY_MS        delay between streamed tokens
 *   STUB_LLM_FIRST_TOKEN_DELAY_MS  delay before the first token
 *   STUB_LLM_FAIL                  none | 400 | 401 | 429 | 500 | hang | drop
 *   STUB_LLM_FAIL_TIMES            fail only the next N generation requests
 *   STUB_LLM_RETRY_AFTER_SECONDS   Retry-After on 429s (default 2)
 *   STUB_LLM_DROP_AFTER_TOKENS     tokens sent before a drop (default 3)
 *   STUB_LLM_API_KEY               require `Authorization: Bearer <key>`
 *   STUB_LLM_REPLY                 fixed reply text for every request
 *   STUB_LLM_COST_PER_TOKEN        OpenRouter-style usage.cost per token
 *   STUB_LLM_MODELS                comma-separated `id=contextLength`, e.g. `stub/small=4096,stub/large=32768`
 *   STUB_LLM_LOG                   1 to print one line per recorded request
 */
import { parseBehaviourPatch, startStubLlm, type StubModel } from "./llm-server";

const ENV_KEYS = {
  STUB_LLM_TOKEN_DELAY_MS: "tokenDelayMs",
  STUB_LLM_FIRST_TOKEN_DELAY_MS: "firstTokenDelayMs",
  STUB_LLM_FAIL: "fail",
  STUB_LLM_FAIL_TIMES: "failTimes",
  STUB_LLM_RETRY_AFTER_SECONDS: "retryAfterSeconds",
  STUB_LLM_DROP_AFTER_TOKENS: "dropAfterTokens",
  STUB_LLM_API_KEY: "requireApiKey",
  STUB_LLM_REPLY: "reply",
  STUB_LLM_COST_PER_TOKEN: "costPerToken",
} as const;

function parseModels(spec: string): StubModel[] {
  return spec
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => {
      // Split on the last "=" so ids may contain anything else (Ollama tags use ":").
      const at = entry.lastIndexOf("=");
      const id = at === -1 ? entry : entry.slice(0, at);
      const contextLength = at === -1 ? 4096 : Number(entry.slice(at + 1));
      return { id, contextLength };
    });
}

async function main(): Promise<void> {
  const raw: Record<string, unknown> = {};
  for (const [envName, key] of Object.entries(ENV_KEYS)) {
    const value = process.env[envName];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  if (process.env.STUB_LLM_MODELS) raw.models = parseModels(process.env.STUB_LLM_MODELS);
  const behaviour = parseBehaviourPatch(raw);

  const port = Number(process.env.STUB_LLM_PORT ?? 11500);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid STUB_LLM_PORT: ${port}`);
  const log = process.env.STUB_LLM_LOG === "1";

  const stub = await startStubLlm({
    port,
    name: process.env.STUB_LLM_NAME || undefined,
    behaviour,
    onRequest: log ? (request) => console.log(`${request.method} ${request.path}`) : undefined,
  });
  const named = stub.name ? ` "${stub.name}"` : "";
  console.log(`Stub LLM${named} listening on ${stub.url} (OpenAI: ${stub.url}/v1, Ollama: ${stub.url})`);

  const stop = (): void => {
    void stub.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
