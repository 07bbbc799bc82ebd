import { remember } from "@epic-web/remember";
import { Redis } from "ioredis";
import { config } from "~/config/env.server";
import { logger } from "~/observability/logger.server";

// One connection per process, kept across `npm run dev`'s hot reloads.
const shared = remember("ares-redis", () => ({ current: undefined as { url: string; client: Redis } | undefined }));

/**
 * The shared Redis connection when REDIS_URL is set, else undefined. While Redis is unreachable a
 * command fails at once — no offline queue, no retry — so callers fall back instead of holding a
 * request (queued commands were what made each request 1–2 s slower during an outage); a command sent
 * to a server that stops answering gives up after a second. The client keeps reconnecting in the background.
 */
export function redis(): Redis | undefined {
  const url = config().redisUrl;
  if (!url) return undefined;
  if (shared.current?.url === url) return shared.current.client;
  const client = new Redis(url, {
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let reported = false;
  client.on("error", (error: Error) => {
    // Reconnection errors repeat every retry; one line per outage is enough.
    if (!reported) logger.error({ err: error }, "redis connection error");
    reported = true;
  });
  client.on("ready", () => {
    if (reported) logger.info("redis connection restored");
    reported = false;
  });
  shared.current = { url, client };
  return client;
}

/** How long start-up waits for Redis to answer before serving anyway (its connect timeout is 2 s). */
const FIRST_CONNECTION_WAIT_MS = 3_000;

/**
 * At start, before the server listens: opens the connection and waits until Redis is ready or has
 * refused (bounded). Without it the first requests met a client still connecting, which sends no
 * command, and the health check reported a Redis that was up as down. A Redis that is down delays
 * nothing: the first refusal ends the wait, and it is reported down, as before.
 */
export async function connectRedis(): Promise<"not_configured" | "ready" | "unreachable"> {
  const client = redis();
  if (!client) return "not_configured";
  if (client.status === "ready") return "ready";
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  let onError: (() => void) | undefined;
  const outcome = await new Promise<"ready" | "unreachable">((resolve) => {
    onReady = () => resolve("ready");
    onError = () => resolve("unreachable");
    client.once("ready", onReady);
    client.once("error", onError);
    timer = setTimeout(() => resolve("unreachable"), FIRST_CONNECTION_WAIT_MS);
  });
  clearTimeout(timer);
  if (onReady) client.off("ready", onReady);
  if (onError) client.off("error", onError);
  return outcome;
}

export async function closeRedis(): Promise<void> {
  const current = shared.current;
  shared.current = undefined;
  if (current) await current.client.quit().catch(() => current.client.disconnect());
}
