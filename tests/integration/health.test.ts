import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, databaseEnv, httpRequest } from "../support/ops";
import { onServer, serverIsReachable, serverUrl, withDatabase } from "../support/postgres";
import { startServer, type ServerProcess, ensureBuild } from "../support/server-process";

const OPENROUTER_KEY = "sk-or-v1-health-test-key-that-must-never-leak";
const servers: ServerProcess[] = [];
const postgresAvailable = await serverIsReachable();

const METRICS_TOKEN = "health-test-metrics-token-0123456789abcdef";

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-health-"));
  const server = await startServer({ ...databaseEnv(dataDir), METRICS_TOKEN, ...env });
  servers.push(server);
  return server;
}

/** As an operator's tool reads it: the full report needs an admin or an operator token. */
async function getJson(url: string, headers: Record<string, string> = { Authorization: `Bearer ${METRICS_TOKEN}` }) {
  const response = await httpRequest(url, { headers });
  return { status: response.status, body: JSON.parse(response.body) as Record<string, never> };
}

beforeAll(async () => {
  await ensureBuild();
}, 120_000);
afterAll(() => Promise.all(servers.map((server) => server.stop())));

describe("health with every dependency unreachable but the database", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    const closed = await closedPort();
    server = await start({
      REDIS_URL: `redis://127.0.0.1:${closed}`,
      AUTH0_DOMAIN: `127.0.0.1:${closed}`,
      AUTH0_CLIENT_ID: "health-test-client",
      AUTH0_CLIENT_SECRET: "health-test-client-secret-0123456789",
      OPENROUTER_API_KEY: OPENROUTER_KEY,
      // Credentials in a URL must not surface in the error text either.
      OPENROUTER_BASE_URL: `http://router-user:url-password-secret@127.0.0.1:${closed}/api/v1`,
      OLLAMA_URL: `http://127.0.0.1:${closed}`,
      HEALTH_CHECK_TIMEOUT_MS: "1500",
    });
  }, 90_000);

  it("reports each one down with a reason and no secrets, and the whole as degraded (200)", async () => {
    const { status, body } = await getJson(`${server.url}/api/v1/health`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: "degraded",
      version: expect.any(String),
      dependencies: {
        database: { status: "up" },
        migrations: { status: "up" },
        redis: { status: "down", error: expect.any(String) },
        auth0: { status: "down", error: expect.stringContaining("ECONNREFUSED") },
        openrouter: { status: "down", error: expect.any(String) },
        ollama: { status: "down", error: expect.stringContaining("ECONNREFUSED") },
      },
    });
    const text = JSON.stringify(body);
    expect(text).not.toContain(OPENROUTER_KEY);
    expect(text).not.toContain("url-password-secret");
    expect(text).not.toContain("health-test-client-secret");
  });

  it("finding 7: the full report is for operators; anyone else gets 401 and readiness without error texts", async () => {
    const anonymous = await getJson(`${server.url}/api/v1/health`, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ code: "unauthorized" });
    const wrong = await getJson(`${server.url}/api/v1/health`, { Authorization: "Bearer not-the-token" });
    expect(wrong.status).toBe(401);
    const ready = await httpRequest(`${server.url}/api/v1/health/ready`);
    // Only Redis is down here: readiness stays 200 (rate limits fail open), still without error texts.
    expect(ready.status).toBe(200);
    expect(ready.body).not.toMatch(/"error"|127\.0\.0\.1|ECONNREFUSED/);
    const live = await httpRequest(`${server.url}/api/v1/health/live`);
    expect(live.body).toBe('{"status":"ok"}');
  });

  it("stays ready while Redis is down (rate limits fail open), reporting Redis down", async () => {
    const ready = await getJson(`${server.url}/api/v1/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: "ready",
      checks: { database: { status: "up" }, redis: { status: "down" } },
    });
    expect((await getJson(`${server.url}/api/v1/health/live`)).status).toBe(200);
  });
});

describe("health with Redis up from the start", () => {
  it("never reports Redis down while it is up, from the first request after start", async () => {
    // A fresh process polled at once, every check run anew: its first health checks met a Redis client
    // still connecting (it sends no command then) and reported Redis down for the first seconds.
    const server = await start({
      REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
      RATE_LIMIT_REDIS_PREFIX: `health-test-${process.pid}:`,
      HEALTH_CACHE_MS: "0",
    });
    const seen: string[] = [];
    for (let poll = 0; poll < 10; poll++) {
      const [ready, report] = await Promise.all([
        getJson(`${server.url}/api/v1/health/ready`),
        getJson(`${server.url}/api/v1/health`),
      ]);
      type Redis = { redis?: { status: string } };
      const readyRedis = (ready.body as { checks?: Redis }).checks?.redis?.status;
      const reportedRedis = (report.body as { dependencies?: Redis }).dependencies?.redis?.status;
      seen.push(`${ready.status} ${readyRedis} ${reportedRedis}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toEqual(Array.from({ length: 10 }, () => "200 up up"));
  });
});

describe("health with the providers answering", () => {
  let server: ServerProcess;
  let stub: http.Server;
  const calls: string[] = [];
  beforeAll(async () => {
    // Stand-ins for OpenRouter's model list and Ollama's tag list.
    stub = http.createServer((req, res) => {
      calls.push(req.url ?? "");
      const authorised = req.headers.authorization === `Bearer ${OPENROUTER_KEY}`;
      if (req.url === "/api/tags") res.writeHead(200).end('{"models":[]}');
      else if (req.url === "/openrouter/models") res.writeHead(authorised ? 200 : 401).end('{"data":[]}');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => stub.listen(0, "127.0.0.1", resolve));
    const { port } = stub.address() as { port: number };
    server = await start({
      OPENROUTER_API_KEY: OPENROUTER_KEY,
      OPENROUTER_BASE_URL: `http://127.0.0.1:${port}/openrouter`,
      OLLAMA_URL: `http://127.0.0.1:${port}`,
    });
  }, 90_000);
  afterAll(() => new Promise<void>((resolve) => stub.close(() => resolve())));

  it("reports them up, unconfigured ones as not_configured, and caches the checks briefly", async () => {
    const first = await getJson(`${server.url}/api/v1/health`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: "ok",
      dependencies: {
        database: { status: "up" },
        redis: { status: "not_configured" },
        auth0: { status: "not_configured" },
        openrouter: { status: "up" },
        ollama: { status: "up" },
      },
    });
    await getJson(`${server.url}/api/v1/health`);
    await getJson(`${server.url}/api/v1/health`);
    expect(calls.filter((url) => url === "/api/tags")).toHaveLength(1);
    expect((await getJson(`${server.url}/api/v1/health/ready`)).body).toMatchObject({ status: "ready" });
  });
});

describe("readiness without a usable database", () => {
  it("is 503 with the database down when PostgreSQL is unreachable, while liveness stays 200", async () => {
    const closed = await closedPort();
    const server = await start({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${closed}/ares`,
      ARES_SKIP_MIGRATIONS: "true",
    });
    const ready = await getJson(`${server.url}/api/v1/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: "not_ready", checks: { database: { status: "down" } } });
    // The reason is in the operators' report, not on the public probe.
    const report = await getJson(`${server.url}/api/v1/health`);
    expect(report.body).toMatchObject({
      dependencies: { database: { status: "down", error: expect.stringMatching(/reach|ECONNREFUSED/i) } },
    });
    expect((await getJson(`${server.url}/api/v1/health/live`)).status).toBe(200);
  });

  it.runIf(postgresAvailable)("is 503 with the pending migrations named when they are not applied", async () => {
    const database = `ares_health_${process.pid}_${Date.now().toString(36)}`;
    await onServer((client) => client.query(`CREATE DATABASE "${database}"`));
    try {
      const server = await start({ DATABASE_URL: withDatabase(serverUrl, database), ARES_SKIP_MIGRATIONS: "true" });
      const ready = await getJson(`${server.url}/api/v1/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ checks: { database: { status: "up" }, migrations: { status: "down" } } });
      // The reason is in the operators' report.
      const report = await getJson(`${server.url}/api/v1/health`);
      expect(report.body).toMatchObject({
        dependencies: { migrations: { status: "down", error: expect.stringMatching(/pending/) } },
      });
      await server.stop();
    } finally {
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
    }
  });
});
