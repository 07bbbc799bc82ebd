/**
 * PostgreSQL stops for 10 s while four people send messages and two replies stream. ARES must stay up,
 * lose no acknowledged message, answer every request 2xx or 503 (never a 500, never a cut connection),
 * recover by itself within 5 s of PostgreSQL's return, and leave no reply `streaming`.
 */
import { isRouteErrorResponse } from "@remix-run/react";
// The Remix client's own decoder for single-fetch (`*.data`) responses, as the browser runs it.
import { decodeViaTurboStream } from "@remix-run/react/dist/single-fetch";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStubLlm, type StubLlm } from "../../e2e/stand-ins/llm-server";
import { readEvents, type SseEvent } from "../support/chat-harness";
import { startPrivatePostgres, type PrivatePostgres } from "../support/private-services";
import { ensureBuild, startServer, type ServerProcess } from "../support/server-process";

const INTERNAL_KEY = "fault-test-internal-key-0123456789abcdef";
/** The full health report is for operators (finding 7): the internal key opens it. */
const OPERATOR = { Authorization: `Bearer ${INTERNAL_KEY}` };
import { newSender, Recorder, sleep } from "./support";

const OUTAGE_MS = 10_000;
const RECOVERY_LIMIT_MS = 5_000;

let postgres: PrivatePostgres;
let server: ServerProcess;
let llms: StubLlm[] = [];

beforeAll(async () => {
  await ensureBuild();
  postgres = await startPrivatePostgres();
  llms = await Promise.all([
    startStubLlm({ name: "openrouter", behaviour: { tokenDelayMs: 2 } }),
    startStubLlm({ name: "ollama", behaviour: { tokenDelayMs: 2 } }),
  ]);
  server = await startServer({
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    SESSION_SECRET: "fault-test-session-secret-0123456789abcdef",
    INTERNAL_API_KEY: INTERNAL_KEY,
    DATABASE_URL: postgres.url,
    OPENROUTER_API_KEY: "test-key",
    OPENROUTER_BASE_URL: `${llms[0]!.url}/v1`,
    OPENROUTER_MODEL: "stub/small",
    OLLAMA_URL: llms[1]!.url,
    LLM_PRIMARY_PROVIDER: "openrouter",
    CHAT_MESSAGES_PER_MINUTE: "0",
    SHUTDOWN_GRACE_MS: "3000",
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await Promise.all(llms.map((llm) => llm.close()));
  await postgres?.destroy();
});

it("survives PostgreSQL stopping for 10 s under load and recovers by itself", { timeout: 120_000 }, async () => {
  const base = server.url;
  const recorder = new Recorder();
  const senders = await Promise.all([1, 2, 3, 4].map(() => newSender(base)));
  const acknowledged: string[] = [];
  let running = true;

  // Four people: send a message, look at the conversation page, read the messages back; again and again.
  const loops = senders.map(async ({ client, conversationId }, index) => {
    for (let round = 0; running; round++) {
      const sent = await recorder.time("send", () =>
        client.postJson(`/api/v1/conversations/${conversationId}/messages`, {
          content: `sender ${index} message ${round}`,
        }),
      );
      if (sent?.status === 202) acknowledged.push(`sender ${index} message ${round}`);
      await recorder.time("page", () => client.get(`/chat/${conversationId}`));
      await recorder.time("api", () => client.get(`/api/v1/conversations/${conversationId}/messages`));
      await sleep(50);
    }
  });

  // Two replies that take longer than the outage, followed over Server-Sent Events as they are written.
  const streamers = await Promise.all([1, 2].map(() => newSender(base)));
  const streams: Array<Promise<SseEvent[]>> = streamers.map(async ({ client, conversationId }) => {
    const response = await client.get(`/api/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      body: JSON.stringify({ content: "[[stub:delay=500]] a long answer please, one word at a time" }),
      headers: { "content-type": "application/json", accept: "text/event-stream" },
    });
    expect(response.status).toBe(200);
    return readEvents(response);
  });

  await sleep(2_000);
  const outageStarted = Date.now();
  await postgres.stop();
  await sleep(1_000);
  // While it is down: the health report names the error, and a page and the API answer 503 properly.
  const health = await fetch(`${base}/api/v1/health`, { headers: OPERATOR });
  const report = (await health.json()) as {
    status: string;
    dependencies: { database: { status: string; error?: string } };
  };
  expect(report.dependencies.database.status).toBe("down");
  expect(report.dependencies.database.error).toMatch(/\S/);
  const page = await senders[0]!.client.get(`/chat/${senders[0]!.conversationId}`);
  expect(page.status).toBe(503);
  expect(page.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(await page.text()).toMatch(/temporarily unavailable/i);
  // A client-side navigation (JS on) fetches the page's data from Remix: it gets a 503 that the Remix
  // client decodes — each route's error is the outage — so the error boundary says "temporarily unavailable".
  const navigation = await senders[0]!.client.get(`/chat/${senders[0]!.conversationId}.data`);
  expect(navigation.status).toBe(503);
  expect(navigation.headers.get("retry-after")).toMatch(/^\d+$/);
  const { value: results } = await decodeViaTurboStream(navigation.body!, globalThis);
  const errors = Object.values(results as Record<string, { error?: unknown }>).map((result) => result.error);
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) expect(isRouteErrorResponse(error) && error.status).toBe(503);
  // `?_data=` is not a data request under single fetch (its client never sends one): the page's own 503.
  const legacy = await senders[0]!.client.get(
    `/chat/${senders[0]!.conversationId}?_data=${encodeURIComponent("routes/chat.$conversationId")}`,
  );
  expect(legacy.status).toBe(503);
  expect(legacy.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(legacy.headers.get("content-type")).toContain("text/html");
  const api = await senders[0]!.client.get(`/api/v1/conversations/${senders[0]!.conversationId}/messages`);
  expect(api.status).toBe(503);
  expect(api.headers.get("content-type")).toContain("application/problem+json");
  expect(await api.json()).toMatchObject({ status: 503, code: "database_unavailable" });

  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
  await postgres.start();
  const back = Date.now();
  await sleep(RECOVERY_LIMIT_MS + 3_000);
  running = false;
  await Promise.all(loops);

  // Every request answered 2xx or 503: no 500, no cut connection.
  const statuses = recorder.statuses();
  const bad = recorder.outcomes.filter(
    ({ status }) => status === "reset" || !(status === 503 || (status >= 200 && status < 300)),
  );
  console.info(`postgres outage: ${recorder.outcomes.length} requests ${JSON.stringify(statuses)}`);
  expect(bad).toEqual([]);
  expect(statuses["503"] ?? 0).toBeGreaterThan(0);

  // Recovered within 5 s of PostgreSQL's return: no request failed after that.
  const lastFailure = Math.max(
    0,
    ...recorder.outcomes.filter(({ status }) => status !== 200 && status !== 202).map(({ at }) => at),
  );
  console.info(`postgres outage: last 503 ${lastFailure - back} ms after PostgreSQL was back`);
  expect(lastFailure - back).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
  expect((await fetch(`${base}/api/v1/health/ready`)).status).toBe(200);

  // The two long replies ended (`done`) with the text written before the outage kept, as errors.
  const followed = await Promise.all(streams);
  for (const events of followed) expect(events.at(-1)).toMatchObject({ event: "done", data: { status: "error" } });

  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  try {
    // Replies to the last messages finish quickly; then nothing may be left streaming.
    let streaming = -1;
    for (let attempt = 0; attempt < 50 && streaming !== 0; attempt++) {
      if (attempt > 0) await sleep(200);
      const { rows } = await db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM "Message" WHERE status = 'streaming'`,
      );
      streaming = rows[0]!.count;
    }
    expect(streaming).toBe(0);
    const { rows: longReplies } = await db.query<{ status: string; content: string }>(
      `SELECT status, content FROM "Message" WHERE role = 'assistant' AND "conversationId" = ANY($1)`,
      [streamers.map((streamer) => streamer.conversationId)],
    );
    expect(longReplies).toHaveLength(2);
    for (const reply of longReplies) {
      expect(reply.status).toBe("error");
      expect(reply.content.length).toBeGreaterThan(0);
    }
    // No acknowledged message was lost.
    const { rows } = await db.query<{ content: string }>(`SELECT content FROM "Message" WHERE role = 'user'`);
    const stored = new Set(rows.map((row) => row.content));
    expect(acknowledged.filter((content) => !stored.has(content))).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(20);
  } finally {
    await db.end();
  }

  // The process stayed up, nothing went unhandled, and every outage answer was one JSON log line.
  expect(server.child.exitCode).toBeNull();
  expect(server.logs.filter((entry) => entry.msg === "unhandled promise rejection")).toEqual([]);
  expect(
    server.logs.some((entry) => entry.msg === "database unavailable" && entry.code === "database_unavailable"),
  ).toBe(true);
  expect(server.stderr()).toBe("");
});
