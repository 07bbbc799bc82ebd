import { config } from "~/config/env.server";
import { describeError } from "~/db/availability.server";
import { prisma } from "~/db/db.server";
import { pendingMigrations } from "~/db/migrations.server";
import { workerStatus } from "~/jobs/queue.server";
import { redis } from "~/redis/redis.server";
import { createBotApi } from "~/telegram/bot-api.server";
import packageJson from "../../package.json";
import type { DependencyCheck, DependencyName, HealthReport, ReadyResponse } from "./schemas.server";

/**
 * Dependencies without which ARES cannot serve. Redis is not one: without it rate limits fail open and
 * every instance keeps serving, so a Redis outage must not make a load balancer drain them all at once;
 * it shows as "degraded", like an unreachable LLM or identity provider.
 */
const CORE: DependencyName[] = ["database", "migrations"];

class NotConfigured extends Error {}

/** Removes anything secret-looking from an error before it is shown to an unauthenticated caller. */
function publicMessage(error: unknown): string {
  // Prisma's and the driver adapter's messages are multi-line or empty: describeError finds the one line that says why.
  let raw = describeError(error);
  // fetch() says only "fetch failed"; the reason (ECONNREFUSED, a certificate error) is in `cause`.
  if (error instanceof Error && error.cause instanceof Error) raw = `${raw}: ${error.cause.message}`;
  const { openrouterApiKey, internalApiKey, metricsToken, sessionSecrets, telegram } = config();
  let message = raw.replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, "//[redacted]@");
  for (const secret of [openrouterApiKey, internalApiKey, metricsToken, telegram?.botToken, ...sessionSecrets]) {
    if (secret) message = message.split(secret).join("[redacted]");
  }
  return message.split("\n")[0]!.slice(0, 200);
}

async function timed(name: DependencyName, check: (signal: AbortSignal) => Promise<void>): Promise<DependencyCheck> {
  const timeoutMs = config().healthCheckTimeoutMs;
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`${name} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    await Promise.race([check(controller.signal), timeout]);
    return { status: "up", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    if (error instanceof NotConfigured) return { status: "not_configured", latencyMs: 0 };
    return { status: "down", latencyMs: Math.round(performance.now() - started), error: publicMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

async function fetchOk(url: string, signal: AbortSignal, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(url, { signal, headers: { Accept: "application/json", ...headers } });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${new URL(url).origin}`);
  return response;
}

const checks: Record<DependencyName, (signal: AbortSignal) => Promise<void>> = {
  async database() {
    await prisma.$queryRaw`SELECT 1`;
  },
  async migrations() {
    const pending = await pendingMigrations({
      query: async <R>(sql: string) => ({ rows: await prisma.$queryRawUnsafe<R[]>(sql) }),
    });
    if (pending.length > 0) throw new Error(`${pending.length} pending: ${pending.join(", ")}`);
  },
  async redis() {
    const client = redis();
    if (!client) throw new NotConfigured();
    await client.ping();
  },
  async auth0(signal) {
    const domain = config().auth0?.domain;
    if (!domain) throw new NotConfigured();
    const discovery = (await (await fetchOk(`https://${domain}/.well-known/openid-configuration`, signal)).json()) as {
      jwks_uri?: unknown;
    };
    if (typeof discovery.jwks_uri !== "string") throw new Error("discovery document has no jwks_uri");
    const jwks = (await (await fetchOk(discovery.jwks_uri, signal)).json()) as { keys?: unknown };
    if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new Error("JWKS has no keys");
  },
  async openrouter(signal) {
    const { openrouterApiKey, openrouterBaseUrl } = config();
    if (!openrouterApiKey) throw new NotConfigured();
    await fetchOk(`${openrouterBaseUrl}/models`, signal, { Authorization: `Bearer ${openrouterApiKey}` });
  },
  async ollama(signal) {
    await fetchOk(`${config().ollamaUrl}/api/tags`, signal);
  },
  async telegram(signal) {
    const telegram = config().telegram;
    if (!telegram) throw new NotConfigured();
    await createBotApi(telegram).call("getMe", {}, { signal, retries: 0 });
  },
};

// Probes are public and cheap to request: answer from a short cache so they cannot hammer a dependency.
const cache = new Map<DependencyName, { expires: number; result: Promise<DependencyCheck> }>();

function check(name: DependencyName): Promise<DependencyCheck> {
  const now = Date.now();
  const hit = cache.get(name);
  if (hit && hit.expires > now) return hit.result;
  const result = timed(name, checks[name]);
  cache.set(name, { expires: now + config().healthCacheMs, result });
  return result;
}

async function checkAll<N extends DependencyName>(names: readonly N[]): Promise<Record<N, DependencyCheck>> {
  const results = await Promise.all(names.map(check));
  return Object.fromEntries(names.map((name, index) => [name, results[index]!])) as Record<N, DependencyCheck>;
}

const failing = (result: DependencyCheck) => result.status === "down";

/** Readiness: the database answers and every migration is applied. Redis is reported, not required (see CORE). */
export async function readiness(): Promise<ReadyResponse> {
  const results = await checkAll(["database", "migrations", "redis"] as const);
  return {
    status: CORE.some((name) => failing(results[name as keyof typeof results])) ? "not_ready" : "ready",
    checks: results,
  };
}

/** Every dependency, for operators and /admin/system. */
export async function healthReport(): Promise<HealthReport> {
  const dependencies = await checkAll([
    "database",
    "migrations",
    "redis",
    "auth0",
    "openrouter",
    "ollama",
    "telegram",
  ] as const);
  const coreDown = CORE.some((name) => failing(dependencies[name]));
  const anyDown = Object.values(dependencies).some(failing);
  return {
    status: coreDown ? "down" : anyDown ? "degraded" : "ok",
    version: packageJson.version,
    uptimeSeconds: Math.floor(process.uptime()),
    checkedAt: new Date().toISOString(),
    dependencies,
    // Informational: a queue that is only behind never makes ARES unready or degraded.
    jobs: { worker: workerStatus() },
  };
}
