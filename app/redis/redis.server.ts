import { Redis } from "ioredis";
import { config } from "~/config/env.server";
import { logger } from "~/observability/logger.server";

const globalForRedis = globalThis as typeof globalThis & { __aresRedis?: { url: string; client: Redis } };

/**
 * The shared Redis connection when REDIS_URL is set, else undefined. While Redis is unreachable a
 * command fails at once — no offline queue, no retry — so callers fall back instead of holding a
 * request (queued commands were what made each request 1–2 s slower during an outage); a command sent
 * to a server that stops answering gives up after a second. The client keeps reconnecting in the background.
 */
export function redis(): Redis | undefined {
  const url = config().redisUrl;
  if (!url) return undefined;
  if (globalForRedis.__aresRedis?.url === url) return globalForRedis.__aresRedis.client;
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
  globalForRedis.__aresRedis = { url, client };
  return client;
}

export async function closeRedis(): Promise<void> {
  const current = globalForRedis.__aresRedis;
  globalForRedis.__aresRedis = undefined;
  if (current) await current.client.quit().catch(() => current.client.disconnect());
}
