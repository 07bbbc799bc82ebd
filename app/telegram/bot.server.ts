/**
 * The Telegram door's lifecycle: on start, learn the bot's name (getMe), register its commands, then
 * either register the webhook (PUBLIC_URL set) or long-poll getUpdates — one poller across every ARES
 * process on the database, chosen by a PostgreSQL advisory lock, since most personal instances sit
 * behind NAT. Nothing here runs unless TELEGRAM_BOT_TOKEN is set.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { config } from "~/config/env.server";
import { isDatabaseUnavailable } from "~/db/availability.server";
import { logger } from "~/observability/logger.server";
import { createBotApi, TelegramApiError, TelegramUnreachableError, type BotApi } from "./bot-api.server";
import { purgeTelegramBookkeeping } from "./linking.server";
import { waitForRelays } from "./relay.server";
import { BOT_COMMANDS, handleUpdate, type TelegramBot } from "./updates.server";

const log = logger.child({ domain: "telegram" });

/** "ARESTGPL": the lock whose holder is the one process polling Telegram. */
const POLLER_LOCK = 0x4152_4553_5447_504cn;
const LONG_POLL_SECONDS = 25;
const RETRY_MS = 5_000;
/** An update that fails this often (in a row, in this poller) is skipped. */
const MAX_UPDATE_TRIES = 5;
// Tries of the updates this process's poller could not handle yet (only the poller touches it).
const failedTries = new Map<number, number>();
export const WEBHOOK_PATH = "/api/v1/telegram/webhook";

type Runtime = { bot: TelegramBot | undefined; stop: AbortController; done: Promise<void>; purge: NodeJS.Timeout };
const PURGE_INTERVAL_MS = 3600_000;
let runtime: Runtime | undefined;

/** The bot's numeric id: the part of its token before the colon. */
function botId(): bigint {
  return BigInt(config().telegram!.botToken.split(":")[0]!);
}

function api(): BotApi | undefined {
  const telegram = config().telegram;
  return telegram ? createBotApi(telegram) : undefined;
}

/**
 * The secret Telegram sends back with every webhook request. Derived from the session secret, so every
 * ARES process agrees on it without storing it, and it changes when that secret is rotated.
 */
export function webhookSecret(): string {
  return createHmac("sha256", config().sessionSecrets[0]!).update("telegram-webhook").digest("base64url");
}

/** Whether Telegram talks to this instance by webhook: a bot token and a PUBLIC_URL (else it polls, or is off). */
export function webhookEnabled(): boolean {
  return Boolean(config().telegram && config().publicUrl);
}

export function webhookSecretMatches(received: string | undefined): boolean {
  if (!received) return false;
  const expected = Buffer.from(webhookSecret());
  const given = Buffer.from(received);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Why a webhook call is refused before anything of it is read, or undefined: off here (404, first: an
 * operator, or Telegram's getWebhookInfo, then reads "not enabled here", not a 401 that sends them looking
 * for a wrong secret), else a missing or wrong secret (401). The HTTP layer asks this before the body's
 * type and size are looked at (express.server.ts), so an unauthenticated caller learns nothing of what
 * the endpoint reads; the route asks again.
 */
export function webhookRefusal(
  secretHeader: string | undefined,
): { status: 404 | 401; code: string; title: string } | undefined {
  if (!webhookEnabled()) return { status: 404, code: "not_found", title: "Telegram webhooks are not enabled here" };
  if (!webhookSecretMatches(secretHeader))
    return { status: 401, code: "unauthorized", title: "Missing or wrong webhook secret" };
  return undefined;
}

let knownName: Promise<string> | undefined;

/** The bot's @username (asked once with getMe), or undefined when Telegram is off or unreachable now. */
export async function botUsername(): Promise<string | undefined> {
  const client = api();
  if (!client) return undefined;
  knownName ??= client.call<{ username: string }>("getMe", {}, { retries: 0 }).then((me) => me.username);
  try {
    return await knownName;
  } catch (error) {
    knownName = undefined;
    if (error instanceof TelegramUnreachableError || error instanceof TelegramApiError) return undefined;
    throw error;
  }
}

/** Starts the Telegram door in the background; failures to reach Telegram are retried, never fatal. */
export function startTelegram(): void {
  const client = api();
  if (!client || runtime) return;
  const stop = new AbortController();
  const purge = setInterval(() => {
    purgeTelegramBookkeeping().catch((error: unknown) =>
      log.warn({ err: error }, "could not purge Telegram bookkeeping"),
    );
  }, PURGE_INTERVAL_MS).unref();
  runtime = { bot: undefined, stop, done: Promise.resolve(), purge };
  const state = runtime;
  state.done = run(client, state).catch((error: unknown) => {
    if (!stop.signal.aborted) log.error({ err: error }, "the Telegram bot stopped unexpectedly");
  });
}

/**
 * Stops the poller: no update is taken after this, and the one being handled (if any) has ended when it
 * resolves (or `limitMs` has passed), so that no reply is started after the shutdown settles replies.
 */
export async function stopTelegramPoller(limitMs: number): Promise<void> {
  if (!runtime) return;
  const { stop, purge, done } = runtime;
  stop.abort();
  clearInterval(purge);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, limitMs)))]);
  clearTimeout(timer);
  runtime = undefined;
}

/** Resolves when the replies being relayed to Telegram have been sent, or after `limitMs`. */
export function waitForTelegramRelays(limitMs: number): Promise<void> {
  return waitForRelays(limitMs);
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  // The timer and its abort listener both go when either ends (no listener left per pause).
  await sleep(ms, undefined, { signal }).catch((error: unknown) => {
    if (!(error instanceof Error && error.name === "AbortError")) throw error;
  });
}

async function run(client: BotApi, state: Runtime): Promise<void> {
  const { signal } = state.stop;
  while (!signal.aborted && !state.bot) {
    try {
      const me = await client.call<{ id: number; username: string }>("getMe", {}, { signal });
      await client.call("setMyCommands", { commands: BOT_COMMANDS }, { signal });
      state.bot = { api: client, username: me.username, id: BigInt(me.id) };
    } catch (error) {
      if (signal.aborted) return;
      if (!(error instanceof TelegramUnreachableError || error instanceof TelegramApiError)) throw error;
      log.warn({ err: error }, "Telegram is not reachable yet; retrying");
      await pause(RETRY_MS, signal);
    }
  }
  if (!state.bot) return;
  const { publicUrl } = config();
  if (publicUrl) {
    await client.call("setWebhook", {
      url: `${publicUrl}${WEBHOOK_PATH}`,
      secret_token: webhookSecret(),
      allowed_updates: ["message"],
    });
    log.info({ bot: state.bot.username, mode: "webhook" }, "Telegram bot ready");
    return;
  }
  log.info({ bot: state.bot.username, mode: "polling" }, "Telegram bot ready");
  await pollWhileLeader(state.bot, signal);
}

/**
 * Polls only while holding the advisory lock on a connection of its own: when the holder dies, its
 * session ends, the lock is free, and another process takes over. The embedded database serves one
 * process, so there it simply polls.
 */
async function pollWhileLeader(bot: TelegramBot, signal: AbortSignal): Promise<void> {
  if (process.env.ARES_EMBEDDED_DB === "1") return poll(bot, signal);
  while (!signal.aborted) {
    const lockClient = new pg.Client({ connectionString: process.env.DATABASE_URL });
    lockClient.on("error", (error) => log.warn({ err: error }, "lost the Telegram poller's database connection"));
    try {
      await lockClient.connect();
      const { rows } = await lockClient.query<{ leader: boolean }>(
        "SELECT pg_try_advisory_lock($1::bigint) AS leader",
        [POLLER_LOCK.toString()],
      );
      if (rows[0]?.leader) {
        const lost = new AbortController();
        lockClient.once("error", () => lost.abort());
        lockClient.once("end", () => lost.abort());
        await poll(bot, AbortSignal.any([signal, lost.signal]));
      }
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      log.warn({ err: error }, "could not take part in choosing the Telegram poller; retrying");
    } finally {
      await lockClient.end().catch(() => undefined);
    }
    await pause(RETRY_MS, signal);
  }
}

async function poll(bot: TelegramBot, signal: AbortSignal): Promise<void> {
  // Any webhook left from another configuration would make getUpdates fail with 409.
  await bot.api
    .call("deleteWebhook", {}, { signal })
    .catch((error: unknown) => log.warn({ err: error }, "deleteWebhook failed"));
  let offset = 0;
  while (!signal.aborted) {
    let updates: Array<{ update_id: number }>;
    try {
      updates = await bot.api.call(
        "getUpdates",
        { offset, timeout: LONG_POLL_SECONDS, allowed_updates: ["message"] },
        { signal, timeoutMs: (LONG_POLL_SECONDS + 10) * 1000 },
      );
    } catch (error) {
      if (signal.aborted) return;
      if (!(error instanceof TelegramUnreachableError || error instanceof TelegramApiError)) throw error;
      log.warn({ err: error }, "getUpdates failed; retrying");
      await pause(RETRY_MS, signal);
      continue;
    }
    for (const update of updates) {
      // Stopped mid-batch: the rest is left with Telegram (its offset is confirmed only by the next
      // getUpdates, which never comes), for the next process to answer.
      if (signal.aborted) return;
      try {
        // Claimed by a process that went away with it (the poller before this one, or a restart): not
        // confirmed (the offset stays) until its claim is stale and taken over here.
        if ((await handleUpdate(bot, update)) === "in_progress") {
          log.info({ updateId: update.update_id }, "a Telegram update is being handled elsewhere; waiting");
          await pause(RETRY_MS, signal);
          break;
        }
      } catch (error) {
        // Not confirmed to Telegram (the offset stays): the next getUpdates brings it again, e.g. once
        // the database is back. One that keeps failing is given up after a few tries, not forever; an
        // unreachable database is not the update's fault, and counts no try.
        const tries = (failedTries.get(update.update_id) ?? 0) + (isDatabaseUnavailable(error) ? 0 : 1);
        failedTries.set(update.update_id, tries);
        if (tries < MAX_UPDATE_TRIES) {
          log.warn({ err: error, updateId: update.update_id, tries }, "a Telegram update failed; it will be retried");
          await pause(RETRY_MS, signal);
          break;
        }
        log.error({ err: error, updateId: update.update_id }, "a Telegram update kept failing; skipped");
      }
      failedTries.delete(update.update_id);
      offset = Math.max(offset, update.update_id + 1);
    }
  }
}

/** For the webhook route: the update, handled once; undefined when Telegram is off or not webhook-driven. */
export async function receiveWebhookUpdate(
  update: unknown,
): Promise<Awaited<ReturnType<typeof handleUpdate>> | undefined> {
  const client = api();
  const username = await botUsername();
  if (!client || !username || !webhookEnabled()) return undefined;
  return handleUpdate({ api: client, username, id: botId() }, update);
}
