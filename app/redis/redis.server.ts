import { Redis } from "ioredis";
import { config } from "~/config/env.server";
import { logger } from "~/observability/logger.server";

const globalForRedis = globalThis as typeof globalThis & { __aresRedis?: { url: string; client: Redis } };

/**
 * The shared Redis connection when REDIS_URL is set, else undefined. Commands fail fast while Redis is
 * unreachable (a short command timeout, one retry) so callers can fall back instead of hanging a request;
 * the client keeps reconnecting in the background.
 */
export function redis(): Redis | undefined {
  const url = config().redisUrl;
  if (!url) return undefined;
  if (globalForRedis.__aresRedis?.url === url) return globalForRedis.__aresRedis.client;
  const client = new Redis(url, {
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 1,
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
