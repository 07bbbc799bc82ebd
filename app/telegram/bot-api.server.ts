/**
 * The one adapter for Telegram's Bot API: `<apiBase>/bot<token>/<method>` with a JSON body, exactly as
 * api.telegram.org takes it (TELEGRAM_API_BASE points tests and development at the stand-in). Telegram
 * answers `{ ok, result }` or `{ ok: false, error_code, description, parameters }`; failures become
 * typed errors, and a 429 is waited out (its `retry_after`) a bounded number of times.
 */
import { z } from "zod";

export class TelegramApiError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    description: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`Telegram ${method}: ${code} ${description}`);
    this.name = "TelegramApiError";
  }

  /** The person blocked the bot, or the chat is gone: it can no longer be written to. */
  get chatUnreachable(): boolean {
    return this.code === 403 || (this.code === 400 && /chat not found/i.test(this.message));
  }
}

/** Telegram could not be reached, or answered something that is not the Bot API. */
export class TelegramUnreachableError extends Error {
  constructor(method: string, cause: unknown) {
    super(`Telegram ${method}: unreachable (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    this.name = "TelegramUnreachableError";
  }
}

const answerSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error_code: z.number().int(),
    description: z.string().default(""),
    parameters: z.object({ retry_after: z.number().optional() }).optional(),
  }),
]);

export type BotApi = {
  call<T>(method: string, parameters?: Record<string, unknown>, options?: CallOptions): Promise<T>;
};

type CallOptions = {
  signal?: AbortSignal;
  /** How long to wait for the answer (long polls pass their own, longer, limit). */
  timeoutMs?: number;
  /** 429s waited out before giving up (each waits its `retry_after`, at most `maxRetryWaitSeconds`). */
  retries?: number;
};

const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_RETRY_WAIT_SECONDS = 30;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

export function createBotApi({ apiBase, botToken }: { apiBase: string; botToken: string }): BotApi {
  async function once(method: string, parameters: Record<string, unknown>, options: CallOptions): Promise<unknown> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let body: unknown;
    try {
      const response = await fetch(`${apiBase}/bot${botToken}/${method}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(parameters),
        signal,
      });
      body = await response.json();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new TelegramUnreachableError(method, error);
    }
    const answer = answerSchema.safeParse(body);
    if (!answer.success) throw new TelegramUnreachableError(method, new Error("not a Bot API answer"));
    if (answer.data.ok) return answer.data.result;
    const { error_code, description, parameters: details } = answer.data;
    throw new TelegramApiError(method, error_code, description, details?.retry_after);
  }

  return {
    async call<T>(method: string, parameters: Record<string, unknown> = {}, options: CallOptions = {}): Promise<T> {
      let retries = options.retries ?? 2;
      for (;;) {
        try {
          return (await once(method, parameters, options)) as T;
        } catch (error) {
          if (!(error instanceof TelegramApiError) || error.code !== 429 || retries <= 0) throw error;
          retries -= 1;
          const waitSeconds = Math.min(MAX_RETRY_WAIT_SECONDS, Math.max(1, error.retryAfterSeconds ?? 1));
          await sleep(waitSeconds * 1000, options.signal);
        }
      }
    },
  };
}
