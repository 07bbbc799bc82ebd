/**
 * Redis is killed while people use ARES. Rate limits then fail open at once: no request fails, none is
 * noticeably slower (p95 within 1.2× of normal), readiness stays 200 with health "degraded", and each
 * unchecked limit is counted.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startPrivateRedis, type PrivateRedis } from "../support/private-services";
import { ensureBuild, startServer, type ServerProcess } from "../support/server-process";

const INTERNAL_KEY = "fault-test-internal-key-0123456789abcdef";
/** The full health report is for operators (finding 7): the internal key opens it. */
const OPERATOR = { Authorization: `Bearer ${INTERNAL_KEY}` };
import { newSender, percentile, Recorder, sleep } from "./support";

const PHASE_MS = 4_000;

let redis: PrivateRedis;
let server: ServerProcess;

beforeAll(async () => {
  await ensureBuild();
  redis = await startPrivateRedis();
  server = await startServer({
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    SESSION_SECRET: "fault-test-session-secret-0123456789abcdef",
    INTERNAL_API_KEY: INTERNAL_KEY,
    DATABASE_URL: process.env.DATABASE_URL!,
    ARES_SKIP_MIGRATIONS: "true",
    REDIS_URL: redis.url,
    // Limits are checked (in Redis) on every request, but high enough that none is refused.
    RATE_LIMIT_READ_PER_MINUTE: "100000",
    RATE_LIMIT_WRITE_PER_MINUTE: "100000",
    RATE_LIMIT_AUTH_PER_15_MINUTES: "100000",
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await redis?.kill();
});

async function storeErrors(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^ares_rate_limit_store_errors_total (\d+)/m.exec(text)?.[1] ?? 0);
}

it("keeps serving at full speed with Redis killed", { timeout: 90_000 }, async () => {
  const people = await Promise.all([1, 2, 3, 4].map(() => newSender(server.url)));
  let phase: "warm-up" | "normal" | "killed" = "warm-up";
  const recorders = { "warm-up": new Recorder(), normal: new Recorder(), killed: new Recorder() };
  let running = true;
  const loops = people.map(async ({ client, conversationId }) => {
    while (running) {
      await recorders[phase].time("list", () => client.get("/api/v1/conversations"));
      await recorders[phase].time("messages", () => client.get(`/api/v1/conversations/${conversationId}/messages`));
    }
  });

  await sleep(1_000);
  phase = "normal";
  await sleep(PHASE_MS);
  const errorsBefore = await storeErrors();
  phase = "killed";
  await redis.kill();
  await sleep(PHASE_MS);

  const ready = await fetch(`${server.url}/api/v1/health/ready`);
  const health = (await (await fetch(`${server.url}/api/v1/health`, { headers: OPERATOR })).json()) as {
    status: string;
    dependencies: { redis: { status: string } };
  };
  running = false;
  await Promise.all(loops);

  const normal = recorders.normal.outcomes;
  const killed = recorders.killed.outcomes;
  const p95 = (outcomes: typeof normal) =>
    percentile(
      outcomes.map(({ ms }) => ms),
      0.95,
    );
  console.info(
    `redis outage: normal ${normal.length} requests p95 ${p95(normal).toFixed(1)} ms ${JSON.stringify(recorders.normal.statuses())}; ` +
      `killed ${killed.length} requests p95 ${p95(killed).toFixed(1)} ms ${JSON.stringify(recorders.killed.statuses())}; ` +
      `ratio ${(p95(killed) / p95(normal)).toFixed(2)}`,
  );
  expect(killed.filter(({ status }) => status !== 200)).toEqual([]);
  expect(normal.filter(({ status }) => status !== 200)).toEqual([]);
  expect(killed.length).toBeGreaterThan(100);
  expect(p95(killed)).toBeLessThanOrEqual(1.2 * p95(normal));

  expect(ready.status).toBe(200);
  expect(health).toMatchObject({ status: "degraded", dependencies: { redis: { status: "down" } } });
  expect(await storeErrors()).toBeGreaterThan(errorsBefore);

  // Back again: limits are checked in Redis once more.
  await redis.start();
  await sleep(2_500);
  const errorsAfterRestart = await storeErrors();
  for (let request = 0; request < 10; request++) await people[0]!.client.get("/api/v1/conversations");
  expect(await storeErrors()).toBe(errorsAfterRestart);
  expect(server.child.exitCode).toBeNull();
});
