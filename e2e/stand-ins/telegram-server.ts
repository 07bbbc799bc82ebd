/**
 * Stand-in Telegram Bot API: the methods ARES uses, at `<base>/bot<token>/<method>` exactly as
 * api.telegram.org answers them (`{ ok, result }` / `{ ok: false, error_code, description, parameters }`),
 * so the bot adapter is tested against the protocol rather than a mock. Tests script it: inject updates
 * (queued for getUpdates, or POSTed to the webhook with or without the secret), block a chat (403), make
 * the next calls answer 429 with `retry_after`, and read back every message with its edit history.
 *
 * Faithful where ARES depends on it: getUpdates long polling with offsets, a second concurrent
 * getUpdates ending the first with 409, getUpdates refused while a webhook is set, Telegram's HTML
 * parse mode validated (only its tag subset, balanced), 4,096-character messages, "message is not
 * modified". Unlike Telegram it accepts plain http webhook URLs, so ARES can run on 127.0.0.1.
 */
import { randomInt } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { BodyTooLarge, readBody, requestParameters, sendJson } from "./http";

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_MESSAGE_LENGTH = 4096;
const FIRST_UPDATE_ID = 700_000_000;
const WEBHOOK_RETRY_DELAYS_MS = [200, 500, 1000];

export type TelegramUser = { id: number; is_bot: boolean; first_name: string; username?: string };
export type TelegramChat = { id: number; type: "private"; first_name?: string; username?: string };
export type TelegramMessage = {
  message_id: number;
  from?: TelegramUser;
  chat: TelegramChat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: Array<{ type: string; offset: number; length: number }>;
};
export type TelegramUpdate = { update_id: number; message?: TelegramMessage };

/** A message the bot sent, with every text it had (the first, then each edit). */
export type SentMessage = {
  messageId: number;
  chatId: number;
  text: string;
  parseMode: string | undefined;
  versions: string[];
  replyMarkup: unknown;
};

export type RecordedCall = {
  method: string;
  parameters: Record<string, unknown>;
  status: number;
  at: number;
  /** The request's headers as sent (e.g. to prove no tracing header leaves ARES). */
  headers: IncomingHttpHeaders;
};

type Webhook = { url: string; secretToken: string | undefined };

export interface StandInTelegramOptions {
  token: string;
  /** The bot's @username (default `ares_test_bot`). */
  username?: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

export interface StandInTelegram {
  /** What ARES's TELEGRAM_API_BASE should be. */
  apiBase: string;
  port: number;
  bot: TelegramUser;
  close(): Promise<void>;
  /** A person writes to the bot: queued for getUpdates, or delivered to the webhook when one is set. */
  sendFromUser(chatId: number, text: string, from?: Partial<TelegramUser>): TelegramUpdate;
  /** POSTs an update to the webhook as Telegram would, or with another secret (null: none); the status. */
  deliverToWebhook(update: TelegramUpdate, options?: { secretToken?: string | null }): Promise<number>;
  /** The chat has blocked the bot: sending to it answers 403. */
  block(chatId: number): void;
  /** The next `times` sends to the chat fail as Telegram's own outages do (500), then it works again. */
  failSends(chatId: number, times: number): void;
  /** The next `times` calls (of `method`, or any) answer 429 with `retry_after`. */
  rateLimitNext(times: number, retryAfterSeconds: number, method?: string): void;
  messages(chatId: number): SentMessage[];
  calls: RecordedCall[];
  webhook(): Webhook | undefined;
  commands(): Array<{ command: string; description: string }>;
  /** Updates not yet confirmed by a getUpdates offset (or not yet accepted by the webhook). */
  pendingUpdates(): TelegramUpdate[];
  /** A getUpdates long poll is waiting right now. */
  isPolling(): boolean;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

const badRequest = (description: string) => new ApiError(400, `Bad Request: ${description}`);

// Telegram's HTML parse mode: these tags only, properly nested; only four named entities.
const TELEGRAM_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-emoji",
]);
const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

/** The visible text of a Telegram-HTML message, or the 400 Telegram gives for it. */
export function parseTelegramHtml(html: string): string {
  const open: string[] = [];
  let text = "";
  let at = 0;
  const fail = (reason: string) =>
    badRequest(`can't parse entities: ${reason} at byte offset ${Buffer.byteLength(html.slice(0, at))}`);
  while (at < html.length) {
    const char = html[at]!;
    if (char === "<") {
      const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:="[^"<>]*"|='[^'<>]*')?)*)\s*>/.exec(
        html.slice(at),
      );
      if (!tag) throw fail("Unexpected character '<'");
      const [whole, closing, rawName] = tag;
      const name = rawName!.toLowerCase();
      if (!TELEGRAM_TAGS.has(name)) throw fail(`Unsupported start tag "${name}"`);
      if (closing) {
        if (open.pop() !== name) throw fail(`Unmatched end tag "${name}"`);
      } else {
        open.push(name);
      }
      at += whole.length;
    } else if (char === "&") {
      const entity = /^&(?:([a-z]+)|#(\d+)|#x([0-9a-fA-F]+));/.exec(html.slice(at));
      if (!entity) throw fail("Unclosed or unknown entity '&'");
      const [whole, named, decimal, hex] = entity;
      if (named !== undefined) {
        const decoded = NAMED_ENTITIES[named];
        if (decoded === undefined) throw fail(`Unsupported entity "${named}"`);
        text += decoded;
      } else {
        text += String.fromCodePoint(decimal !== undefined ? Number(decimal) : parseInt(hex!, 16));
      }
      at += whole.length;
    } else if (char === ">") {
      throw fail("Unexpected character '>'");
    } else {
      text += char;
      at += 1;
    }
  }
  if (open.length > 0)
    throw badRequest(`can't parse entities: Can't find end tag corresponding to start tag "${open.at(-1)}"`);
  return text;
}

function requireInteger(parameters: Record<string, unknown>, name: string): number {
  const value = Number(parameters[name]);
  if (parameters[name] === undefined || !Number.isInteger(value)) throw badRequest(`${name} is required`);
  return value;
}

function optionalInteger(parameters: Record<string, unknown>, name: string, fallback: number): number {
  if (parameters[name] === undefined) return fallback;
  const value = Number(parameters[name]);
  if (!Number.isInteger(value)) throw badRequest(`invalid ${name}`);
  return value;
}

function requireText(parameters: Record<string, unknown>): {
  text: string;
  parseMode: string | undefined;
  visible: string;
} {
  const text = typeof parameters.text === "string" ? parameters.text : "";
  const parseMode = typeof parameters.parse_mode === "string" ? parameters.parse_mode : undefined;
  if (parseMode !== undefined && parseMode !== "HTML" && parseMode !== "MarkdownV2" && parseMode !== "Markdown") {
    throw badRequest("unsupported parse_mode");
  }
  const visible = parseMode === "HTML" ? parseTelegramHtml(text) : text;
  if (visible.trim() === "") throw badRequest("message text is empty");
  if ([...visible].length > MAX_MESSAGE_LENGTH) throw badRequest("message is too long");
  return { text, parseMode, visible };
}

/** A JSON-valued parameter, sent as JSON text in form bodies and query strings. */
function jsonParameter(parameters: Record<string, unknown>, name: string): unknown {
  const value = parameters[name];
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

export async function startStandInTelegram(options: StandInTelegramOptions): Promise<StandInTelegram> {
  const bot: TelegramUser = {
    id: 8_000_000_001,
    is_bot: true,
    first_name: "ARES",
    username: options.username ?? "ares_test_bot",
  };
  const calls: RecordedCall[] = [];
  const queue: TelegramUpdate[] = [];
  const sent = new Map<number, SentMessage[]>();
  const blocked = new Set<number>();
  const failing = new Map<number, number>();
  const rateLimits: Array<{ method: string | undefined; remaining: number; retryAfter: number }> = [];
  let commands: Array<{ command: string; description: string }> = [];
  let webhook: Webhook | undefined;
  // Like Telegram's, the series starts at an arbitrary number, so two stand-ins never repeat an id.
  let nextUpdateId = FIRST_UPDATE_ID + randomInt(1_000_000) * 1000;
  let nextMessageId = 1;
  let waitingPoll: { wake: () => void; conflict: () => void } | undefined;
  const sockets = new Set<Socket>();
  let closed = false;

  const now = () => Math.floor(Date.now() / 1000);
  const chatOf = (chatId: number): TelegramChat => ({ id: chatId, type: "private", first_name: `Person ${chatId}` });

  function takeRateLimit(method: string): number | undefined {
    const rule = rateLimits.find((r) => r.remaining > 0 && (r.method === undefined || r.method === method));
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.retryAfter;
  }

  function sendable(chatId: number): void {
    if (blocked.has(chatId)) throw new ApiError(403, "Forbidden: bot was blocked by the user");
    const failures = failing.get(chatId) ?? 0;
    if (failures > 0) {
      failing.set(chatId, failures - 1);
      throw new ApiError(500, "Internal Server Error");
    }
  }

  function getUpdates(parameters: Record<string, unknown>): Promise<TelegramUpdate[]> | TelegramUpdate[] {
    if (webhook)
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    const offset = optionalInteger(parameters, "offset", 0);
    const limit = Math.min(100, Math.max(1, optionalInteger(parameters, "limit", 100)));
    const timeout = Math.min(50, Math.max(0, optionalInteger(parameters, "timeout", 0)));
    // An offset confirms every update before it: Telegram forgets them.
    if (offset > 0) while (queue.length > 0 && queue[0]!.update_id < offset) queue.shift();
    const ready = () => queue.slice(0, limit);
    if (ready().length > 0 || timeout === 0) return ready();
    // Only one long poll at a time: a newer one ends the older one with 409, as Telegram does.
    waitingPoll?.conflict();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(finish, timeout * 1000);
      function finish() {
        clearTimeout(timer);
        if (waitingPoll === poll) waitingPoll = undefined;
        resolve(ready());
      }
      const poll = {
        wake: finish,
        conflict: () => {
          clearTimeout(timer);
          reject(
            new ApiError(
              409,
              "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            ),
          );
        },
      };
      waitingPoll = poll;
    });
  }

  function storeSent(
    chatId: number,
    text: string,
    parseMode: string | undefined,
    replyMarkup: unknown,
  ): TelegramMessage {
    const message: SentMessage = { messageId: nextMessageId++, chatId, text, parseMode, versions: [text], replyMarkup };
    sent.set(chatId, [...(sent.get(chatId) ?? []), message]);
    return { message_id: message.messageId, from: bot, chat: chatOf(chatId), date: now(), text };
  }

  const methods: Record<string, (parameters: Record<string, unknown>) => unknown> = {
    getMe: () => ({
      ...bot,
      can_join_groups: false,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    }),
    getUpdates,
    setWebhook(parameters) {
      const url = typeof parameters.url === "string" ? parameters.url : "";
      if (url === "") {
        webhook = undefined;
        return true;
      }
      if (!/^https?:\/\//.test(url)) throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
      const secretToken = parameters.secret_token;
      if (
        secretToken !== undefined &&
        (typeof secretToken !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken))
      ) {
        throw badRequest("bad webhook: secret token contains unallowed characters");
      }
      webhook = { url, secretToken: secretToken as string | undefined };
      waitingPoll?.conflict();
      void flushToWebhook();
      return true;
    },
    deleteWebhook(parameters) {
      webhook = undefined;
      if (parameters.drop_pending_updates === true || parameters.drop_pending_updates === "true") queue.length = 0;
      return true;
    },
    getWebhookInfo: () => ({
      url: webhook?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: queue.length,
    }),
    sendMessage(parameters) {
      const chatId = requireInteger(parameters, "chat_id");
      sendable(chatId);
      const { text, parseMode } = requireText(parameters);
      return storeSent(chatId, text, parseMode, jsonParameter(parameters, "reply_markup"));
    },
    editMessageText(parameters) {
      const chatId = requireInteger(parameters, "chat_id");
      const messageId = requireInteger(parameters, "message_id");
      sendable(chatId);
      const { text, parseMode } = requireText(parameters);
      const message = sent.get(chatId)?.find((m) => m.messageId === messageId);
      if (!message) throw badRequest("message to edit not found");
      const replyMarkup = jsonParameter(parameters, "reply_markup");
      if (message.text === text && JSON.stringify(message.replyMarkup) === JSON.stringify(replyMarkup)) {
        throw badRequest(
          "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
      }
      message.text = text;
      message.parseMode = parseMode;
      message.replyMarkup = replyMarkup;
      message.versions.push(text);
      return { message_id: messageId, from: bot, chat: chatOf(chatId), date: now(), edit_date: now(), text };
    },
    sendChatAction(parameters) {
      sendable(requireInteger(parameters, "chat_id"));
      return true;
    },
    setMyCommands(parameters) {
      const list = jsonParameter(parameters, "commands");
      if (!Array.isArray(list)) throw badRequest("commands must be an array");
      const parsed = list.map((entry: unknown) => {
        const { command, description } = (entry ?? {}) as { command?: unknown; description?: unknown };
        if (typeof command !== "string" || !/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest("BOT_COMMAND_INVALID");
        if (typeof description !== "string" || description.length < 1 || description.length > 256) {
          throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
        }
        return { command, description };
      });
      commands = parsed;
      return true;
    },
    getMyCommands: () => commands,
  };

  /** For a person at a terminal (`npm run dev:telegram`): write as a user, read what the bot said. */
  async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const parameters = requestParameters(req, await readBody(req, MAX_BODY_BYTES)) ?? {};
    const chatId = Number(parameters.chat_id);
    if (!Number.isInteger(chatId)) return sendJson(res, 400, { error: "chat_id is required" });
    if (path === "/__stand-in/messages") return sendJson(res, 200, stand.messages(chatId));
    if (path === "/__stand-in/send" && typeof parameters.text === "string") {
      return sendJson(res, 200, stand.sendFromUser(chatId, parameters.text));
    }
    if (path === "/__stand-in/block") {
      stand.block(chatId);
      return sendJson(res, 200, { blocked: chatId });
    }
    sendJson(res, 404, { error: "use /__stand-in/send (chat_id, text), /__stand-in/messages or /__stand-in/block" });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    if (path.startsWith("/__stand-in/")) return control(req, res, path);
    const route = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(path);
    if (!route) return sendJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    const [, token, requested] = route;
    const method = Object.keys(methods).find((name) => name.toLowerCase() === requested!.toLowerCase());
    let body: string;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLarge)
        return sendJson(res, 413, { ok: false, error_code: 413, description: "Request Entity Too Large" });
      throw error;
    }
    const parameters = requestParameters(req, body) ?? {};
    const answer = (status: number, payload: Record<string, unknown>) => {
      calls.push({ method: method ?? requested!, parameters, status, at: Date.now(), headers: { ...req.headers } });
      sendJson(res, status, payload);
    };
    if (token !== options.token) return answer(401, { ok: false, error_code: 401, description: "Unauthorized" });
    if (!method) return answer(404, { ok: false, error_code: 404, description: "Not Found: method not found" });
    const retryAfter = takeRateLimit(method);
    if (retryAfter !== undefined) {
      return answer(429, {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      });
    }
    try {
      const result = await methods[method]!(parameters);
      answer(200, { ok: true, result });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      answer(error.status, {
        ok: false,
        error_code: error.status,
        description: error.message,
        ...(error.parameters ? { parameters: error.parameters } : {}),
      });
    }
  }

  async function post(update: TelegramUpdate, secretToken: string | null | undefined): Promise<number> {
    if (!webhook) throw new Error("no webhook is set");
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (secretToken) headers["X-Telegram-Bot-Api-Secret-Token"] = secretToken;
    try {
      const response = await fetch(webhook.url, { method: "POST", headers, body: JSON.stringify(update) });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0; // unreachable: Telegram treats it like an error status and retries
    }
  }

  /** Telegram delivers webhook updates in order and retries each until it is accepted. */
  let flushing = false;
  async function flushToWebhook(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (webhook && queue.length > 0 && !closed) {
        const update = queue[0]!;
        let accepted = false;
        for (const delay of [0, ...WEBHOOK_RETRY_DELAYS_MS]) {
          if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
          const status = await post(update, webhook?.secretToken);
          if (status >= 200 && status < 300) {
            accepted = true;
            break;
          }
        }
        if (!accepted) break; // left pending, as Telegram keeps it for a later attempt
        queue.shift();
      }
    } finally {
      flushing = false;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error_code: 500, description: String(error) });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const stand: StandInTelegram = {
    apiBase: `http://127.0.0.1:${port}`,
    port,
    bot,
    calls,
    async close() {
      closed = true;
      waitingPoll?.wake();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    sendFromUser(chatId, text, from = {}) {
      const user: TelegramUser = { id: chatId, is_bot: false, first_name: `Person ${chatId}`, ...from };
      const command = /^\/[a-z0-9_]+/i.exec(text);
      const update: TelegramUpdate = {
        update_id: nextUpdateId++,
        message: {
          message_id: nextMessageId++,
          from: user,
          chat: { id: chatId, type: "private", first_name: user.first_name, username: user.username },
          date: now(),
          text,
          ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
        },
      };
      queue.push(update);
      if (webhook) void flushToWebhook();
      else waitingPoll?.wake();
      return update;
    },
    deliverToWebhook(update, { secretToken } = {}) {
      return post(update, secretToken === undefined ? webhook?.secretToken : secretToken);
    },
    block(chatId) {
      blocked.add(chatId);
    },
    failSends(chatId, times) {
      failing.set(chatId, times);
    },
    rateLimitNext(times, retryAfterSeconds, method) {
      rateLimits.push({ method, remaining: times, retryAfter: retryAfterSeconds });
    },
    messages: (chatId) => sent.get(chatId) ?? [],
    webhook: () => webhook,
    commands: () => commands,
    pendingUpdates: () => [...queue],
    isPolling: () => waitingPoll !== undefined,
  };
  return stand;
}
