import { remember } from "@epic-web/remember";
import { Redis } from "ioredis";
import { config } from "~/config/env.server";
import { logger } from "~/observability/logger.server";

// One connection per process, kept across `npm run dev`'s hot reloads.
const shared = remember("ares-redis", () => ({ current: undefined as { url: string; client: Redis } | undefined }));

/**
 * The shared Redis connection when REDIS_URL is set, else undefined. Commands fail fast while Redis is
 * unreachable (a short command timeout, one retry) so callers can fall back instead of hanging a request;
 * the client keeps reconnecting in the background.
 */
export function redis(): Redis | undefined {
  const url = config().redisUrl;
  if (!url) return undefined;
  if (shared.current?.url === url) return shared.current.client;
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
  shared.current = { url, client };
  return client;
}

export async function closeRedis(): Promise<void> {
  const current = shared.current;
  shared.current = undefined;
  if (current) await current.client.quit().catch(() => current.client.disconnect());
}
