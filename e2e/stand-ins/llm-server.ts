/**
 * Stub LLM server: a protocol-faithful stand-in for OpenRouter (OpenAI-compatible API) and Ollama
 * (native /api and OpenAI-compatible /v1), so development, tests and benchmarks never need a real model.
 *
 * Replies are a pure function of the last user message; failures, latency and auth are steerable
 * from start options, `configure()`, the `/__stub/*` control endpoints, or `[[stub:...]]` markers.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, type Socket } from "node:net";

export type StubFailure = "none" | 400 | 401 | 429 | 500 | "hang" | "drop";

export interface StubModel {
  id: string;
  contextLength: number;
  ownedBy?: string;
}

export interface StubBehaviour {
  /** Delay between streamed tokens; a non-streamed reply waits as long as the whole stream would. */
  tokenDelayMs: number;
  /** Delay before the first token (time to first token); defaults to `tokenDelayMs`. */
  firstTokenDelayMs?: number;
  fail: StubFailure;
  /** Apply `fail` to the next N generation requests only; undefined means every request. */
  failTimes?: number;
  /** Value of the Retry-After header on 429s. */
  retryAfterSeconds: number;
  /** With `fail: "drop"`, tokens sent before the socket is destroyed. */
  dropAfterTokens: number;
  /** When set, API requests must carry `Authorization: Bearer <requireApiKey>`. */
  requireApiKey?: string;
  /** Fixed reply for every request (a `[[reply:...]]` marker still wins). */
  reply?: string;
  /** OpenRouter-style `usage.cost` per token (prompt + completion). */
  costPerToken: number;
  /**
   * What the usage object's `prompt_tokens`, `completion_tokens` (and `cost`) say instead of the true counts: any
   * JSON value, as an odd provider sends it (a string, a negative, a fraction, more than an int holds).
   */
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; cost?: unknown };
  models: StubModel[];
  /**
   * Memory extraction requests (a message containing EXTRACTION_MARKER): "scripted" answers with
   * `extractionReply` when set, else JSON derived from the transcript (see stubExtractionFor);
   * "invalid" answers text that is not JSON.
   */
  extractionMode: "scripted" | "invalid";
  /** Fixed answer to extraction requests (any text: valid JSON or not). */
  extractionReply?: string;
  /** Delay before an extraction answer starts (the "slow extraction" mode); chat replies are unaffected. */
  extractionDelayMs: number;
}

/** ARES's extraction request carries this marker; the stub answers it with extraction JSON. */
export const EXTRACTION_MARKER = "[[ares:memory-extraction]]";

/**
 * The stub's own extraction answer: a summary of the transcript's lines and one candidate per user line
 * of the form "my <key> is <value>" (numbered "#<n> [user] ..." as ARES sends them).
 */
export function stubExtractionFor(transcript: string): string {
  const lines = [...transcript.matchAll(/^#(\d+) \[(user|assistant)\] (.*)$/gm)];
  const candidates = lines.flatMap(([, index, role, text]) => {
    if (role !== "user") return [];
    return [...text!.matchAll(/\bmy ([a-z][a-z ]{0,40}?) is ([^.!?\n]+)/gi)].map((match) => ({
      type: "fact",
      kind: "personal",
      key: match[1]!.trim().replace(/\s+/g, "_").toLowerCase(),
      value: match[2]!.trim(),
      confidence: 0.9,
      importance: 8,
      message: Number(index),
    }));
  });
  const words = lines.map(([, , , text]) => text).join(" ");
  return JSON.stringify({
    summary: `The person talked about: ${words.slice(0, 300)}`,
    topics: [...new Set(words.toLowerCase().match(/[a-z]{6,}/g) ?? [])].slice(0, 5),
    keyFacts: candidates.map((candidate) => `${candidate.key.replace(/_/g, " ")} is ${candidate.value}`),
    candidates,
  });
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, the raw text if it was not JSON, or undefined when empty. */
  body: unknown;
  receivedAt: string;
  /** Set once the connection closed before the response was complete: the client went away, or a drop/hang. */
  closedEarly: boolean;
}

export interface StubLlmOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /**
   * Which service this instance stands in for (e.g. "openrouter", "ollama"), so one test can steer one
   * of several stubs: a marker with `only=<name>` applies on the stub of that name and is ignored elsewhere.
   */
  name?: string;
  behaviour?: Partial<StubBehaviour>;
  /** Oldest recorded requests are dropped beyond this, so long benchmarks stay bounded. Default 1000. */
  maxRecordedRequests?: number;
  onRequest?: (request: RecordedRequest) => void;
}

export interface StubLlm {
  url: string;
  port: number;
  name: string | undefined;
  close(): Promise<void>;
  requests: RecordedRequest[];
  configure(behaviour: Partial<StubBehaviour>): void;
  /** Restores the behaviour given at start, re-arms `failTimes` and clears recorded requests. */
  reset(): void;
}

export const DEFAULT_STUB_MODELS: readonly StubModel[] = [
  { id: "stub/small", contextLength: 4096, ownedBy: "stub" },
  { id: "stub/large", contextLength: 32768, ownedBy: "stub" },
];

export const DEFAULT_STUB_BEHAVIOUR: Readonly<StubBehaviour> = {
  tokenDelayMs: 0,
  extractionMode: "scripted",
  extractionDelayMs: 0,
  fail: "none",
  retryAfterSeconds: 2,
  dropAfterTokens: 3,
  costPerToken: 0.000001,
  models: [...DEFAULT_STUB_MODELS],
};

const FAILURES: readonly StubFailure[] = ["none", 400, 401, 429, 500, "hang", "drop"];
const MAX_BODY_BYTES = 16 * 1024 * 1024;
// Fixed so /api/tags is byte-for-byte stable across runs.
const MODIFIED_AT = "2024-01-01T00:00:00.000Z";

// ---------------------------------------------------------------------------------------------------------------
// Deterministic replies and markers

const STUB_MARKER = /\[\[stub:([^\]]*)\]\]/g;
const REPLY_MARKER = /\[\[reply:([\s\S]*?)\]\]/;

/** The reply the stub gives to a last user message without a reply override. */
export function stubReplyFor(message: string): string {
  return `You said: "${message}". This is a deterministic reply from the stub model.`;
}

/** Words with their trailing whitespace, so joining the tokens gives back the text exactly. */
export function tokenize(text: string): string[] {
  return text.match(/\s+|\S+\s*/g) ?? [];
}

function parseFailure(value: unknown): StubFailure {
  const normalised = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  const found = FAILURES.find((failure) => failure === normalised);
  if (found === undefined) throw new Error(`fail must be one of ${FAILURES.join(", ")}; got ${String(value)}`);
  return found;
}

function parseNonNegative(name: string, value: unknown): number {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number) || number < 0) {
    throw new Error(`${name} must be a non-negative number; got ${String(value)}`);
  }
  return number;
}

/** A tool call a `[[stub:tool=<name>,args=<JSON object>]]` marker asks the stub to make. */
export interface StubToolCall {
  name: string;
  /** The JSON text of the arguments, exactly as written in the marker. */
  arguments: string;
}

interface RequestMarkers {
  text: string;
  reply?: string;
  patch: Partial<StubBehaviour>;
  /** Calls to make while the request offers tools and no tool result has come back yet. */
  toolCalls: StubToolCall[];
  /** `notools=1`: the model refuses requests that offer tools (HTTP 400, as Ollama does). */
  noTools: boolean;
  /**
   * `takes=1`: the reply ends with " (take N)", N counting this stub's replies to the same text — so
   * asking again (Regenerate) gives a reply of its own, still deterministic.
   */
  takes?: true;
}

/**
 * Pulls `[[stub:k=v,...]]` and `[[reply:...]]` out of a user message; throws on an unknown key.
 * A `[[stub:...]]` block with `only=<name>` applies only when `stubName` is that name; it is still
 * validated and stripped everywhere, so every stub echoes the same text.
 */
export function parseMarkers(message: string, stubName?: string): RequestMarkers {
  const patch: Partial<StubBehaviour> = {};
  const toolCalls: StubToolCall[] = [];
  let noTools = false;
  let takes = false;
  const withoutStub = message.replace(STUB_MARKER, (_match, whole: string) => {
    const block: Partial<StubBehaviour> = {};
    let only: string | undefined;
    let tool: string | undefined;
    let blockNoTools = false;
    let blockTakes = false;
    // args= takes the rest of the block: its JSON may contain commas.
    const argsAt = whole.indexOf("args=");
    const body = argsAt >= 0 ? whole.slice(0, argsAt) : whole;
    const args = argsAt >= 0 ? whole.slice(argsAt + "args=".length).trim() : undefined;
    if (args !== undefined) {
      try {
        JSON.parse(args);
      } catch {
        throw new Error(`Stub marker args must be JSON; got ${args}`);
      }
    }
    for (const pair of body.split(",")) {
      if (pair.trim() === "") continue;
      const [rawKey = "", ...rest] = pair.split("=");
      const key = rawKey.trim();
      const value = rest.join("=").trim();
      if (key === "fail") block.fail = parseFailure(value);
      else if (key === "after") block.dropAfterTokens = parseNonNegative(key, value);
      else if (key === "delay") block.tokenDelayMs = parseNonNegative(key, value);
      else if (key === "first") block.firstTokenDelayMs = parseNonNegative(key, value);
      else if (key === "retry") block.retryAfterSeconds = parseNonNegative(key, value);
      else if (key === "tool") {
        if (!/^[A-Za-z_][\w-]*$/.test(value)) throw new Error('Stub marker key "tool" needs a function name');
        tool = value;
      } else if (key === "notools") blockNoTools = value !== "0" && value !== "false";
      else if (key === "takes") blockTakes = value !== "0" && value !== "false";
      else if (key === "only") {
        if (value === "") throw new Error('Stub marker key "only" needs a stub name');
        only = value;
      } else
        throw new Error(
          `Unknown stub marker key "${key}" (known: fail, after, delay, first, retry, only, tool, args, notools, takes)`,
        );
    }
    if (args !== undefined && tool === undefined) throw new Error('Stub marker key "args" needs "tool"');
    if (only === undefined || only === stubName) {
      Object.assign(patch, block);
      if (tool !== undefined) toolCalls.push({ name: tool, arguments: args ?? "{}" });
      noTools ||= blockNoTools;
      takes ||= blockTakes;
    }
    return "";
  });
  const replyMatch = REPLY_MARKER.exec(withoutStub);
  const text = withoutStub.replace(REPLY_MARKER, "").trim();
  const markers: RequestMarkers = replyMatch
    ? { text, reply: replyMatch[1] ?? "", patch, toolCalls, noTools }
    : { text, patch, toolCalls, noTools };
  if (takes) markers.takes = true;
  return markers;
}

/** The stub's answer once tool results came back: it names what the tools said. */
export function stubToolResultReply(results: string[]): string {
  return `The tool answered: ${results.join(" | ")}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Behaviour validation and merging (shared by configure(), the control endpoint and the CLI)

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseModels(value: unknown): StubModel[] {
  if (!Array.isArray(value)) throw new Error("models must be an array");
  return value.map((entry: unknown, index) => {
    if (!isRecord(entry) || typeof entry.id !== "string" || entry.id === "") {
      throw new Error(`models[${index}].id must be a non-empty string`);
    }
    const model: StubModel = {
      id: entry.id,
      contextLength: parseNonNegative(`models[${index}].contextLength`, entry.contextLength ?? 4096),
    };
    if (typeof entry.ownedBy === "string") model.ownedBy = entry.ownedBy;
    return model;
  });
}

/**
 * Validates an untrusted partial behaviour (JSON from the control endpoint, env from the CLI).
 * `null` on an optional field clears it; numeric strings are accepted so env values pass through.
 */
export function parseBehaviourPatch(raw: unknown): Partial<StubBehaviour> {
  if (!isRecord(raw)) throw new Error("behaviour must be a JSON object");
  const patch: Partial<StubBehaviour> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    switch (key) {
      case "tokenDelayMs":
      case "retryAfterSeconds":
      case "dropAfterTokens":
      case "costPerToken":
      case "extractionDelayMs":
        patch[key] = parseNonNegative(key, value);
        break;
      case "extractionMode":
        if (value !== "scripted" && value !== "invalid") throw new Error("extractionMode must be scripted or invalid");
        patch.extractionMode = value;
        break;
      case "extractionReply":
        if (value !== null && typeof value !== "string") throw new Error(`${key} must be a string or null`);
        patch.extractionReply = value ?? undefined;
        break;
      case "firstTokenDelayMs":
      case "failTimes":
        patch[key] = value === null ? undefined : parseNonNegative(key, value);
        break;
      case "requireApiKey":
      case "reply":
        if (value !== null && typeof value !== "string") throw new Error(`${key} must be a string or null`);
        patch[key] = value ?? undefined;
        break;
      case "fail":
        patch.fail = parseFailure(value);
        break;
      case "models":
        patch.models = parseModels(value);
        break;
      case "usage":
        patch.usage = parseUsage(value);
        break;
      default:
        throw new Error(`Unknown behaviour key "${key}"`);
    }
  }
  return patch;
}

const USAGE_KEYS = ["prompt_tokens", "completion_tokens", "cost"];

/** Only the keys the app reads: a misspelt one ("prompt_token") would be sent as it is and test nothing. */
function parseUsage(value: unknown): StubBehaviour["usage"] {
  if (value === null) return undefined;
  if (!isRecord(value)) throw new Error("usage must be an object or null");
  const unknown = Object.keys(value).find((key) => !USAGE_KEYS.includes(key));
  if (unknown !== undefined) throw new Error(`Unknown usage key "${unknown}": use ${USAGE_KEYS.join(", ")}`);
  return value;
}

const OPTIONAL_KEYS = ["firstTokenDelayMs", "failTimes", "requireApiKey", "reply", "extractionReply", "usage"] as const;

function mergeBehaviour(base: StubBehaviour, patch: Partial<StubBehaviour>): StubBehaviour {
  // Typed callers are validated too, so a bad value fails at configure() rather than mid-request.
  const merged: StubBehaviour = { ...base, ...parseBehaviourPatch(patch) };
  // An explicit undefined clears an optional field; required fields keep their value.
  for (const key of OPTIONAL_KEYS) {
    if (key in patch && patch[key] === undefined) delete merged[key];
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------------------------
// Request helpers

type Dialect = "openai" | "ollama";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  // OpenAI content parts: [{ type: "text", text }, { type: "image_url", ... }]
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (isRecord(part) && typeof part.text === "string" ? part.text : ""))
      .filter((text) => text !== "")
      .join("\n");
  }
  return "";
}

interface ChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  maxTokens?: number;
  lastUserMessage: string;
  promptTokens: number;
  /** Set when a message carries EXTRACTION_MARKER: the transcript ARES asks to summarise. */
  extraction?: string;
  /** The request offers tools (OpenAI's and Ollama's `tools`). */
  hasTools: boolean;
  /** The contents of the tool results after the last assistant turn; empty when the last turn is not a tool's. */
  toolResults: string[];
}

function parseChatRequest(body: unknown, dialect: Dialect): ChatRequest {
  if (!isRecord(body)) throw new HttpError(400, "Request body must be a JSON object");
  if (typeof body.model !== "string" || body.model === "") {
    throw new HttpError(400, dialect === "ollama" ? "model is required" : "you must provide a model parameter");
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new HttpError(400, "messages must be a non-empty array");
  }
  const messages: unknown[] = body.messages;
  let lastUserMessage = "";
  let promptTokens = 0;
  let extraction: string | undefined;
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const text = messageText(message.content);
    promptTokens += text.match(/\S+/g)?.length ?? 0;
    if (text.includes(EXTRACTION_MARKER)) extraction = "";
    if (extraction !== undefined && message.role === "user") extraction = text;
    if (message.role === "user") lastUserMessage = text;
  }
  const toolResults: string[] = [];
  for (const message of [...messages].reverse()) {
    if (!isRecord(message) || message.role !== "tool") break;
    toolResults.unshift(messageText(message.content));
  }
  const streamOptions = body.stream_options;
  const usageOptions = body.usage; // OpenRouter usage accounting: { usage: { include: true } }
  const options = body.options; // Ollama: { options: { num_predict } }
  const rawMaxTokens =
    dialect === "ollama"
      ? isRecord(options)
        ? options.num_predict
        : undefined
      : (body.max_completion_tokens ?? body.max_tokens);
  const request: ChatRequest = {
    model: body.model,
    // Ollama's native API streams unless told otherwise; OpenAI's does not.
    stream: dialect === "ollama" ? body.stream !== false : body.stream === true,
    includeUsage:
      (isRecord(streamOptions) && streamOptions.include_usage === true) ||
      (isRecord(usageOptions) && usageOptions.include === true),
    lastUserMessage,
    promptTokens,
    ...(extraction !== undefined ? { extraction } : {}),
    hasTools: Array.isArray(body.tools) && body.tools.length > 0,
    toolResults,
  };
  if (typeof rawMaxTokens === "number" && rawMaxTokens >= 0) request.maxTokens = rawMaxTokens;
  return request;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, "Request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

const OPENAI_ERRORS: Record<number, { type: string; code: string }> = {
  400: { type: "invalid_request_error", code: "bad_request" },
  401: { type: "invalid_request_error", code: "invalid_api_key" },
  404: { type: "invalid_request_error", code: "not_found" },
  413: { type: "invalid_request_error", code: "request_too_large" },
  429: { type: "rate_limit_error", code: "rate_limit_exceeded" },
  500: { type: "server_error", code: "server_error" },
};

function sendError(
  res: ServerResponse,
  dialect: Dialect,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const { type, code } = OPENAI_ERRORS[status] ?? { type: "server_error", code: "server_error" };
  // Ollama's native API reports errors as a bare string.
  const body = dialect === "ollama" ? { error: message } : { error: { message, type, param: null, code } };
  sendJson(res, status, body, headers);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Resolves once the chunk is handed to the OS, so a following destroy cannot swallow it. */
function write(res: ServerResponse, chunk: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(chunk, () => resolve());
  });
}

function roundCost(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

// ---------------------------------------------------------------------------------------------------------------
// Server

export async function startStubLlm(options: StubLlmOptions = {}): Promise<StubLlm> {
  const initial = mergeBehaviour(
    { ...DEFAULT_STUB_BEHAVIOUR, models: [...DEFAULT_STUB_MODELS] },
    options.behaviour ?? {},
  );
  const maxRecorded = options.maxRecordedRequests ?? 1000;
  let behaviour = initial;
  let failuresLeft = behaviour.failTimes;
  let completionCounter = 0;
  /** Replies given per text, for `takes=1`. */
  const takes = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const recorded = new WeakMap<IncomingMessage, RecordedRequest>();
  const sockets = new Set<Socket>();
  // Aborted by close() so pending delays resolve at once instead of keeping the process alive.
  const shutdown = new AbortController();

  const configure = (patch: Partial<StubBehaviour>): void => {
    behaviour = mergeBehaviour(behaviour, patch);
    failuresLeft = behaviour.failTimes;
  };
  const reset = (): void => {
    behaviour = initial;
    failuresLeft = behaviour.failTimes;
    requests.length = 0;
    takes.clear();
  };

  const record = (req: IncomingMessage, path: string, body: unknown): void => {
    const entry: RecordedRequest = {
      method: req.method ?? "GET",
      path,
      headers: { ...req.headers },
      body,
      receivedAt: new Date().toISOString(),
      closedEarly: false,
    };
    recorded.set(req, entry);
    requests.push(entry);
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);
    options.onRequest?.(entry);
  };

  const authorised = (req: IncomingMessage): boolean =>
    behaviour.requireApiKey === undefined || req.headers.authorization === `Bearer ${behaviour.requireApiKey}`;

  /** Per-request markers win; otherwise the configured failure applies while `failTimes` lasts. */
  const effectiveFailure = (markers: Partial<StubBehaviour>): StubFailure => {
    if (markers.fail !== undefined) return markers.fail;
    if (behaviour.fail === "none") return "none";
    if (failuresLeft === undefined) return behaviour.fail;
    if (failuresLeft <= 0) return "none";
    failuresLeft -= 1;
    return behaviour.fail;
  };

  const handleChat = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    dialect: Dialect,
    signal: AbortSignal,
  ): Promise<void> => {
    const chat = parseChatRequest(body, dialect);
    let markers: RequestMarkers;
    try {
      markers = parseMarkers(chat.lastUserMessage, options.name);
    } catch (error) {
      throw new HttpError(400, error instanceof Error ? error.message : String(error));
    }
    const settings = { ...behaviour, ...markers.patch };
    const failure = effectiveFailure(markers.patch);

    if (failure === "hang") return; // Never answer; close() destroys the socket.
    if (typeof failure === "number") {
      const headers: Record<string, string> =
        failure === 429 ? { "Retry-After": String(settings.retryAfterSeconds) } : {};
      const messages: Record<number, string> = {
        400: "Stub failure: bad request",
        401: "Stub failure: invalid API key",
        429: "Stub failure: rate limit exceeded",
        500: "Stub failure: internal server error",
      };
      sendError(res, dialect, failure, messages[failure] ?? "Stub failure", headers);
      return;
    }
    if (markers.noTools && chat.hasTools) {
      sendError(res, dialect, 400, `registry.ollama.ai/library/${chat.model} does not support tools`);
      return;
    }
    if (failure === "drop" && !chat.stream) {
      req.socket.destroy(); // Nothing to stream: the connection just dies.
      return;
    }

    if (chat.extraction !== undefined) await sleep(settings.extractionDelayMs, signal);
    if (signal.aborted) return;
    const take = (text: string): string => {
      const count = (takes.get(markers.text) ?? 0) + 1;
      takes.set(markers.text, count);
      return `${text} (take ${count})`;
    };
    const chatReply = markers.reply ?? behaviour.reply ?? stubReplyFor(markers.text);
    const replyText =
      chat.extraction !== undefined
        ? behaviour.extractionMode === "invalid"
          ? "Sure! Here is what I remember: the person likes tea."
          : (behaviour.extractionReply ?? stubExtractionFor(chat.extraction))
        : chat.toolResults.length > 0
          ? stubToolResultReply(chat.toolResults)
          : markers.takes
            ? take(chatReply)
            : chatReply;
    // Calls are made only when tools are offered and none has answered yet; then the reply is the calls.
    const calls =
      chat.extraction === undefined && chat.hasTools && chat.toolResults.length === 0 ? markers.toolCalls : [];
    let tokens = calls.length > 0 ? [] : tokenize(replyText);
    let finishReason: "stop" | "length" | "tool_calls" = calls.length > 0 ? "tool_calls" : "stop";
    const callIds = calls.map((_call, index) => `call_stub_${completionCounter + 1}_${index}`);
    const argumentTokens = calls.reduce((sum, call) => sum + tokenize(call.arguments).length, 0);
    if (chat.maxTokens !== undefined && tokens.length > chat.maxTokens) {
      tokens = tokens.slice(0, chat.maxTokens);
      finishReason = "length";
    }
    const dropAfter = failure === "drop" ? settings.dropAfterTokens : Infinity;
    const firstDelay = settings.firstTokenDelayMs ?? settings.tokenDelayMs;
    const usage = {
      prompt_tokens: chat.promptTokens,
      completion_tokens: tokens.length + argumentTokens,
      total_tokens: chat.promptTokens + tokens.length + argumentTokens,
      cost: roundCost((chat.promptTokens + tokens.length + argumentTokens) * settings.costPerToken),
    };
    // The OpenAI dialect's usage object, as the behaviour has it say (Ollama's counts stay true).
    const sentUsage = { ...usage, ...settings.usage };
    const startedAt = process.hrtime.bigint();
    const id = `chatcmpl-stub-${++completionCounter}`;
    const created = Math.floor(Date.now() / 1000);

    if (!chat.stream) {
      await sleep(firstDelay + settings.tokenDelayMs * Math.max(0, tokens.length - 1), signal);
      if (signal.aborted) return;
      const content = tokens.join("");
      if (dialect === "ollama") {
        sendJson(res, 200, {
          ...ollamaFinal(chat, content, usage, startedAt, finishReason === "length" ? "length" : "stop"),
          ...(calls.length ? { message: { role: "assistant", content, tool_calls: ollamaCalls(calls) } } : {}),
        });
      } else {
        sendJson(res, 200, {
          id,
          object: "chat.completion",
          created,
          model: chat.model,
          system_fingerprint: "fp_stub",
          choices: [
            {
              index: 0,
              message: calls.length
                ? { role: "assistant", content: null, refusal: null, tool_calls: openAiCalls(calls, callIds) }
                : { role: "assistant", content, refusal: null },
              logprobs: null,
              finish_reason: finishReason,
            },
          ],
          usage: sentUsage,
        });
      }
      return;
    }

    res.writeHead(
      200,
      dialect === "ollama"
        ? { "Content-Type": "application/x-ndjson" }
        : { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", Connection: "keep-alive" },
    );
    res.flushHeaders();

    const sse = (data: unknown): Promise<void> => write(res, `data: ${JSON.stringify(data)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null): Record<string, unknown> => ({
      id,
      object: "chat.completion.chunk",
      created,
      model: chat.model,
      system_fingerprint: "fp_stub",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      // OpenAI marks every chunk with usage: null when the final usage chunk is coming.
      ...(chat.includeUsage ? { usage: null } : {}),
    });

    // Like OpenAI, announce the role with empty content before the first token.
    if (dialect === "openai" && calls.length === 0) await sse(chunk({ role: "assistant", content: "" }, null));

    for (const [index, token] of tokens.entries()) {
      if (index >= dropAfter) break;
      await sleep(index === 0 ? firstDelay : settings.tokenDelayMs, signal);
      if (signal.aborted) return;
      if (dialect === "ollama") {
        await write(
          res,
          `${JSON.stringify({ model: chat.model, created_at: new Date().toISOString(), message: { role: "assistant", content: token }, done: false })}\n`,
        );
      } else {
        await sse(chunk({ content: token }, null));
      }
    }
    if (calls.length > 0) {
      await sleep(firstDelay, signal);
      if (signal.aborted) return;
      if (dialect === "ollama") {
        // Ollama sends each call whole, with its arguments as an object.
        await write(
          res,
          `${JSON.stringify({ model: chat.model, created_at: new Date().toISOString(), message: { role: "assistant", content: "", tool_calls: ollamaCalls(calls) }, done: false })}\n`,
        );
      } else {
        // OpenAI names each call in its first piece and streams the arguments after it.
        for (const [index, call] of calls.entries()) {
          await sse(
            chunk(
              {
                role: "assistant",
                content: null,
                tool_calls: [
                  { index, id: callIds[index], type: "function", function: { name: call.name, arguments: "" } },
                ],
              },
              null,
            ),
          );
          const half = Math.ceil(call.arguments.length / 2);
          for (const piece of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
            if (piece) await sse(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
          }
        }
      }
    }
    if (signal.aborted) return;
    if (failure === "drop") {
      res.socket?.destroy(); // Abrupt end: no final chunk, no [DONE], no chunked terminator.
      return;
    }

    if (dialect === "ollama") {
      const doneReason = finishReason === "length" ? "length" : "stop";
      await write(res, `${JSON.stringify(ollamaFinal(chat, "", usage, startedAt, doneReason))}\n`);
    } else {
      await sse(chunk({}, finishReason));
      if (chat.includeUsage) await sse({ ...chunk({}, null), choices: [], usage: sentUsage });
      await write(res, "data: [DONE]\n\n");
    }
    res.end();
  };

  const route = async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const method = req.method ?? "GET";
    const dialect: Dialect = path.startsWith("/api/") ? "ollama" : "openai";
    const body = parseBody(await readBody(req));

    // Health and control traffic is not recorded: polling would drown the interesting requests.
    if (method === "GET" && path === "/health") return sendJson(res, 200, { status: "ok" });
    if (method === "GET" && path === "/") {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Ollama is running"); // Ollama clients probe / for this exact text.
      return;
    }
    if (path.startsWith("/__stub/")) {
      if (method === "GET" && path === "/__stub/behaviour") return sendJson(res, 200, behaviour);
      if (method === "POST" && path === "/__stub/behaviour") {
        try {
          configure(parseBehaviourPatch(body ?? {}));
        } catch (error) {
          throw new HttpError(400, error instanceof Error ? error.message : String(error));
        }
        return sendJson(res, 200, behaviour);
      }
      if (method === "POST" && path === "/__stub/reset") {
        reset();
        return sendJson(res, 200, behaviour);
      }
      if (method === "GET" && path === "/__stub/requests") return sendJson(res, 200, { requests });
      if (method === "DELETE" && path === "/__stub/requests") {
        requests.length = 0;
        return sendJson(res, 200, { requests });
      }
      throw new HttpError(404, `No stub control route ${method} ${path}`);
    }

    record(req, path, body);
    if (!authorised(req)) {
      throw new HttpError(401, dialect === "ollama" ? "unauthorized" : "Incorrect API key provided");
    }

    if (method === "POST" && path === "/v1/chat/completions") return handleChat(req, res, body, "openai", signal);
    if (method === "POST" && path === "/api/chat") return handleChat(req, res, body, "ollama", signal);
    if (method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, {
        object: "list",
        data: behaviour.models.map((model) => ({
          id: model.id,
          object: "model",
          created: Math.floor(Date.parse(MODIFIED_AT) / 1000),
          owned_by: model.ownedBy ?? "stub",
          context_length: model.contextLength,
        })),
      });
    }
    if (method === "GET" && path === "/api/tags") {
      return sendJson(res, 200, {
        models: behaviour.models.map((model) => ({
          name: model.id,
          model: model.id,
          modified_at: MODIFIED_AT,
          size: 1_000_000,
          digest: createHash("sha256").update(model.id).digest("hex"),
          details: {
            parent_model: "",
            format: "gguf",
            family: "stub",
            families: ["stub"],
            parameter_size: "1M",
            quantization_level: "Q4_0",
          },
        })),
      });
    }
    throw new HttpError(404, `No route for ${method} ${path}`);
  };

  const server = createServer({ noDelay: true }, (req, res) => {
    // Aborts when the client goes away or close() destroys the socket, ending any in-flight stream.
    const requestGone = new AbortController();
    const signal = AbortSignal.any([requestGone.signal, shutdown.signal]);
    res.on("close", () => {
      requestGone.abort();
      const entry = recorded.get(req);
      if (entry && !res.writableFinished) entry.closedEarly = true;
    });
    const dialect: Dialect = (req.url ?? "").startsWith("/api/") ? "ollama" : "openai";
    route(req, res, signal).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) sendError(res, dialect, error.status, error.message);
      else sendError(res, dialect, 500, error instanceof Error ? error.message : String(error));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      shutdown.abort();
      server.close(() => resolve());
      // Hung and keep-alive connections would otherwise keep server.close() waiting forever.
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
    });
    return closing;
  };

  return { url: `http://127.0.0.1:${port}`, port, name: options.name, close, requests, configure, reset };
}

function openAiCalls(calls: StubToolCall[], ids: string[]): Record<string, unknown>[] {
  return calls.map((call, index) => ({
    id: ids[index],
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
}

function ollamaCalls(calls: StubToolCall[]): Record<string, unknown>[] {
  return calls.map((call) => ({ function: { name: call.name, arguments: JSON.parse(call.arguments) as unknown } }));
}

function ollamaFinal(
  chat: ChatRequest,
  content: string,
  usage: { prompt_tokens: number; completion_tokens: number },
  startedAt: bigint,
  doneReason: "stop" | "length",
): Record<string, unknown> {
  const totalDuration = Number(process.hrtime.bigint() - startedAt);
  return {
    model: chat.model,
    created_at: new Date().toISOString(),
    message: { role: "assistant", content },
    done: true,
    done_reason: doneReason,
    total_duration: totalDuration,
    load_duration: 0,
    prompt_eval_count: usage.prompt_tokens,
    prompt_eval_duration: 0,
    eval_count: usage.completion_tokens,
    eval_duration: totalDuration,
  };
}
