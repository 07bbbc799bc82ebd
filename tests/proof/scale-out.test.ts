/**
 * Scale-out: two ARES processes (the compiled test build) on ONE fresh, empty PostgreSQL database and
 * the machine's Redis, each on its own port, started at the same instant. Sessions, revocation, the
 * shared rate limit, migrations, a reply followed and stopped from the other process, and the
 * scheduled jobs are each checked across the two.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationNames } from "~/db/migrations.server";
import { startStubLlm, type StubLlm } from "../../e2e/stand-ins/llm-server";
import { browserClient, CookieJar } from "../support/cookie-jar";
import { sample } from "../support/ops";
import { onServer, serverUrl, withDatabase } from "../support/postgres";
import { ensureBuild, startServer, type ServerProcess } from "../support/server-process";

// Ports of this suite (4310–4319 are the proof suites'); SCALE_OUT_PORT moves all three at once.
const basePort = Number(process.env.SCALE_OUT_PORT ?? 4310);
const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
// The auth tier's limit per address: small, so the shared count is seen within a handful of attempts.
const AUTH_LIMIT = 4;

const database = `ares_scale_${process.pid}_${randomBytes(3).toString("hex")}`;
const databaseUrl = withDatabase(serverUrl, database);
// Counters of this run's own in the shared Redis (one prefix for both processes: one installation).
const redisPrefix = `ares-proof-scale:${database}:`;
let db: pg.Client;
// One stand-in model provider per process: which one a generation reaches says which process runs it.
let llmA: StubLlm;
let llmB: StubLlm;
let a: ServerProcess;
let b: ServerProcess;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  await ensureBuild();
  await onServer((client) => client.query(`CREATE DATABASE "${database}"`));
  const stub = (offset: number) =>
    startStubLlm({ name: "openrouter", port: basePort + offset, behaviour: { tokenDelayMs: 2 } });
  [llmA, llmB] = await Promise.all([stub(2), stub(3)]);
  const env = (port: number, llm: StubLlm) => ({
    NODE_ENV: "test",
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    // Migrations are applied by the processes themselves, on an empty database: not skipped.
    ARES_SKIP_MIGRATIONS: "false",
    // One installation: one cookie secret, one Redis (with counters of its own in the shared server).
    SESSION_SECRET: "scale-out-secret-shared-by-both-processes-0123456789",
    REDIS_URL: redisUrl,
    RATE_LIMIT_REDIS_PREFIX: redisPrefix,
    RATE_LIMIT_AUTH_PER_15_MINUTES: String(AUTH_LIMIT),
    // Each sign-in below comes from an address of its own (X-Forwarded-For from loopback).
    TRUST_PROXY: "loopback",
    OPENROUTER_API_KEY: "test-key",
    OPENROUTER_BASE_URL: `${llm.url}/v1`,
    OPENROUTER_MODEL: "stub/small",
    LLM_PRIMARY_PROVIDER: "openrouter",
    LLM_REQUEST_TIMEOUT_MS: "5000",
    CHAT_MESSAGES_PER_MINUTE: "1000",
    LOG_LEVEL: "info",
  });
  // The same instant, against an empty database: both decide whether to migrate at once.
  const started = await Promise.allSettled([startServer(env(basePort, llmA)), startServer(env(basePort + 1, llmB))]);
  for (const result of started) if (result.status === "fulfilled") servers.push(result.value);
  const failed = started.find((result) => result.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  [a, b] = servers as [ServerProcess, ServerProcess];
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await db?.end();
  await Promise.all([llmA?.close(), llmB?.close()]);
  await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
}, 60_000);

let counter = 0;
/** An address of its own per person, so the small auth limit is only spent where a test means to. */
const nextAddress = () => `198.51.100.${++counter}`;
const password = "correct horse battery staple";

type Client = ReturnType<typeof browserClient>;

/** Signs up on `server` and signs in there; returns the person's email and cookie jar. */
async function signIn(server: ServerProcess, email?: string) {
  const jar = new CookieJar();
  const client = browserClient(server.url, jar);
  const address = { "x-forwarded-for": nextAddress() };
  const who = email ?? `scale-${Date.now().toString(36)}-${counter}@example.test`;
  if (!email) await (await client.post("/signup", { email: who, password }, { headers: address })).text();
  const login = await client.post("/login", { email: who, password }, { headers: address });
  await login.text();
  expect(login.status).toBe(302);
  return { email: who, jar };
}

/** The same browser (cookie jar) talking to another process: posts carry that process's origin. */
const on = (server: ServerProcess, jar: CookieJar): Client => browserClient(server.url, jar);

async function page(client: Client, path: string) {
  const response = await client.get(path);
  return { status: response.status, location: response.headers.get("location"), body: await response.text() };
}

describe("two ARES processes on one PostgreSQL and one Redis", () => {
  it("started together on an empty database: both healthy, each migration applied once, by one of them", async () => {
    for (const server of [a, b]) {
      const ready = await fetch(`${server.url}/api/v1/health/ready`);
      expect(ready.status).toBe(200);
      expect((await ready.json()) as { status: string }).toMatchObject({ status: "ready" });
    }
    const { rows } = await db.query<{ migration_name: string; times: string; unfinished: string }>(
      `SELECT migration_name, count(*) AS times,
              count(*) FILTER (WHERE finished_at IS NULL OR rolled_back_at IS NOT NULL) AS unfinished
         FROM _prisma_migrations GROUP BY migration_name ORDER BY migration_name`,
    );
    expect(rows.map((row) => row.migration_name)).toEqual([...migrationNames()].sort());
    expect(rows.filter((row) => Number(row.times) !== 1 || Number(row.unfinished) !== 0)).toEqual([]);
    // One process applied them all; the other, waiting on the lock, found nothing left to apply.
    const appliers = [a, b].filter((server) =>
      server.logs.some((entry) => entry.msg === "applied database migrations"),
    );
    expect(appliers).toHaveLength(1);
    const applied = appliers[0]!.logs.find((entry) => entry.msg === "applied database migrations")!.applied;
    expect(applied).toEqual(migrationNames());
  });

  it("a session created on A works on B", async () => {
    const { email, jar } = await signIn(a);
    const onB = await page(on(b, jar), "/settings/profile");
    expect(onB.status).toBe(200);
    expect(onB.body).toContain(email);
    // And without the cookie B sends the visitor to sign in: the 200 above is the session's doing.
    const anonymous = await page(browserClient(b.url), "/settings/profile");
    expect(anonymous.status).toBe(302);
    expect(anonymous.location).toMatch(/^\/login/);
  });

  it("a session revoked on A (settings → sign out other sessions) is refused on B at once", async () => {
    const first = await signIn(a);
    const second = await signIn(b, first.email);
    expect((await page(on(b, second.jar), "/chat")).status).toBe(200);
    const revoked = await on(a, first.jar).post("/settings/sessions", { intent: "revoke-others" });
    expect(revoked.status).toBe(302);
    expect(revoked.headers.get("location")).toBe("/settings/sessions");
    // The one-time notice rides in a signed cookie, not in memory: the other process says it.
    expect((await page(on(b, first.jar), "/settings/sessions")).body).toContain("Signed out of 1 other session.");
    // No wait: the very next request on the other process is refused.
    const refused = await page(on(b, second.jar), "/chat");
    expect(refused.status).toBe(302);
    expect(refused.location).toMatch(/^\/login/);
    expect((await page(on(a, first.jar), "/chat")).status).toBe(200);
  });

  it("a session signed out on A is refused on B at once (a kept copy of the cookie opens nothing)", async () => {
    const { jar } = await signIn(a);
    const copy = new CookieJar();
    copy.set("__ares_session", jar.get("__ares_session")!);
    expect((await page(on(b, copy), "/chat")).status).toBe(200);
    const out = await on(a, jar).post("/logout", {});
    expect(out.status).toBe(302);
    const refused = await page(on(b, copy), "/chat");
    expect(refused.status).toBe(302);
    expect(refused.location).toMatch(/^\/login/);
  });

  it("one shared rate limit: sign-in attempts on A and B count together", async () => {
    const from = { "x-forwarded-for": "203.0.113.99" };
    const attempt = (server: ServerProcess, index: number) =>
      browserClient(server.url).post(
        "/login",
        { email: `nobody-${index}@example.test`, password: "wrong" },
        { headers: from },
      );
    const statuses: number[] = [];
    // AUTH_LIMIT attempts alternating between the processes: each process alone has seen only half.
    for (let index = 0; index < AUTH_LIMIT; index++) {
      const response = await attempt(index % 2 === 0 ? a : b, index);
      await response.text();
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 429)).toEqual([]);
    for (const [index, server] of [a, b].entries()) {
      const refused = await attempt(server, AUTH_LIMIT + index);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      await refused.text();
    }
    // Another address still has its whole budget: the refusal is this address's shared count.
    const other = await browserClient(b.url).post(
      "/login",
      { email: "nobody-else@example.test", password: "wrong" },
      { headers: { "x-forwarded-for": "203.0.113.100" } },
    );
    await other.text();
    expect(other.status).not.toBe(429);
  });

  it("a reply started on A is followed from B's stream and stopped from B", async () => {
    const { jar } = await signIn(a);
    const onA = on(a, jar);
    const onB = on(b, jar);
    llmA.reset();
    llmB.reset();
    // A slow stream (200 ms a token, 75 tokens: 15 s): long enough to follow and stop it mid-way. The reply
    // starts while the message is committed, so it is as far along when the send answers as the commit
    // was slow: a reply of 3 s was over before B could stop it whenever a commit took 3 s.
    const request = `tell me a long story ${"and then, ".repeat(30).trim()}`;
    const started = await onA.post("/chat?index", { message: `[[stub:delay=200]] ${request}` });
    expect(started.status).toBe(302);
    const path = started.headers.get("location")!.replace(/#latest$/, "");
    const html = (await page(onA, path)).body;
    const replyId = [...html.matchAll(/id="m-([a-z0-9-]+)"/g)].at(-1)![1]!;

    const response = await onB.get(`${path}/stream?message=${replyId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events: Array<{ event: string; data: Record<string, unknown> }> = [];
    const reading = (async () => {
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let boundary: number;
        while ((boundary = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    })();
    const followed = () =>
      events
        .map((event) =>
          event.event === "snapshot"
            ? String(event.data.content)
            : event.event === "token"
              ? String(event.data.text)
              : "",
        )
        .join("");
    // B relays text that A is generating: wait until some has arrived through B.
    const deadline = Date.now() + 15_000;
    while (followed().length < 8 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(followed().length).toBeGreaterThanOrEqual(8);

    const stopped = await onB.post(path, { intent: "stop", messageId: replyId });
    expect(stopped.status).toBe(302);
    const stoppedAt = Date.now();
    await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    const done = events.find((event) => event.event === "done");
    expect(done?.data).toEqual({ status: "aborted" });
    expect(Date.now() - stoppedAt).toBeLessThan(3_000);

    const { rows } = await db.query<{ status: string; content: string }>(
      `SELECT status, content FROM "Message" WHERE id = $1`,
      [replyId],
    );
    expect(rows[0]!.status).toBe("aborted");
    const full = `You said: "${request}". This is a deterministic reply from the stub model.`;
    expect(rows[0]!.content.length).toBeGreaterThan(0);
    expect(rows[0]!.content.length).toBeLessThan(full.length);
    // What B relayed is what A wrote, and A's request to the model was cut off (A ended the generation).
    expect(rows[0]!.content.startsWith(followed().slice(0, 8))).toBe(true);
    // The reply's own streamed request (a title or memory request may follow on either process).
    const generations = (stub: StubLlm) =>
      stub.requests.filter(
        (request) =>
          request.path === "/v1/chat/completions" &&
          (request.body as { stream?: boolean }).stream === true &&
          JSON.stringify(request.body).includes("tell me a long story"),
      );
    expect(generations(llmB)).toHaveLength(0);
    expect(generations(llmA)).toHaveLength(1);
    expect(generations(llmA)[0]!.closedEarly).toBe(true);
  }, 40_000);

  it("each scheduled job runs once: scans triggered on both processes at once run once per job, in one process", async () => {
    const queues = ["reminders", "briefings", "subscriptions", "sessions"] as const;
    const jobName = (queue: (typeof queues)[number]) =>
      queue === "sessions" ? "sessions.purge-ended" : `calendar.${queue}-scan`;
    const jobsTotal = async (server: ServerProcess, queue: (typeof queues)[number]) => {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const series = `ares_jobs_total{queue="${jobName(queue)}",result="completed"}`;
      return sample(metrics, series) ?? 0;
    };
    const origin = (server: ServerProcess) => ({ headers: { origin: server.url } });
    // Every scheduled job (the three scans and the purge of ended sessions), five times from each process,
    // all at the same instant (plus the minute's cron runs).
    const sends = await Promise.all(
      queues.flatMap((queue) =>
        [a, b].flatMap((server) =>
          Array.from({ length: 5 }, () =>
            fetch(`${server.url}/test-only/scan/${queue}`, { method: "POST", ...origin(server) }).then(
              async (response) => ({ status: response.status, body: (await response.json()) as { id: string | null } }),
            ),
          ),
        ),
      ),
    );
    expect(sends.map((send) => send.status).filter((status) => status !== 200)).toEqual([]);
    const sentIds = sends.map((send) => send.body.id).filter((id): id is string => id !== null);
    // A scan is a singleton: of 10 sends per scan at once, most find one already waiting.
    expect(sentIds.length).toBeGreaterThanOrEqual(queues.length);
    expect(sentIds.length).toBeLessThan(sends.length);

    const names = queues.map(jobName);
    const settled = async () => {
      const { rows } = await db.query<{ pending: string }>(
        `SELECT count(*) AS pending FROM pgboss.job WHERE name = ANY($1) AND state IN ('created', 'retry', 'active')`,
        [names],
      );
      return Number(rows[0]!.pending) === 0;
    };
    const deadline = Date.now() + 20_000;
    while (!(await settled()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await settled()).toBe(true);
    const { rows: sent } = await db.query<{ id: string; state: string }>(
      `SELECT id, state FROM pgboss.job WHERE id = ANY($1::uuid[])`,
      [sentIds],
    );
    expect(sent.filter((job) => job.state !== "completed")).toEqual([]);
    expect(sent).toHaveLength(sentIds.length);

    // The runs both processes counted against the jobs the database holds, read while nothing changes:
    // the minute's cron may send a scan at any moment, and a run is counted just before its row is marked
    // completed, so the comparison is taken between two equal snapshots with nothing waiting or running.
    const snapshot = async () => {
      const { rows } = await db.query<{ name: string; completed: string; pending: string }>(
        `SELECT name, count(*) FILTER (WHERE state = 'completed') AS completed,
                count(*) FILTER (WHERE state IN ('created', 'retry', 'active')) AS pending
           FROM pgboss.job WHERE name = ANY($1) GROUP BY name ORDER BY name`,
        [names],
      );
      return JSON.stringify(rows);
    };
    let comparison: Array<{ queue: string; runs: number; jobs: number }> = [];
    for (let attempt = 0; attempt < 30; attempt++) {
      const before = await snapshot();
      const runs = await Promise.all(
        queues.map(async (queue) => (await jobsTotal(a, queue)) + (await jobsTotal(b, queue))),
      );
      if (
        before !== (await snapshot()) ||
        (JSON.parse(before) as Array<{ pending: string }>).some((row) => row.pending !== "0")
      ) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        continue;
      }
      const rows = JSON.parse(before) as Array<{ name: string; completed: string }>;
      comparison = queues.map((queue, index) => ({
        queue,
        runs: runs[index]!,
        jobs: Number(rows.find((row) => row.name === jobName(queue))?.completed ?? 0),
      }));
      break;
    }
    expect(comparison).toHaveLength(queues.length);
    for (const { queue, runs, jobs } of comparison) {
      // Every completed job was run by exactly one process: were a job run by both, the runs counted by
      // the two processes would outnumber the jobs.
      expect({ queue, runs }).toEqual({ queue, runs: jobs });
      expect(runs).toBeGreaterThanOrEqual(1);
    }
    // The cron schedules both processes keep: at most one job per scan and minute. Checked once the clock
    // has sent each minute's scan at least once (a minute boundary can be up to a minute away), so that
    // the check is not of an empty table.
    const minuteScans = names.filter((name) => name !== "sessions.purge-ended");
    const cronRuns = async () => {
      const { rows } = await db.query<{ name: string }>(
        `SELECT DISTINCT name FROM pgboss.job WHERE name = ANY($1) AND NOT (id = ANY($2::uuid[]))`,
        [minuteScans, sentIds],
      );
      return rows.length;
    };
    const cronDeadline = Date.now() + 80_000;
    while ((await cronRuns()) < minuteScans.length && Date.now() < cronDeadline)
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await cronRuns()).toBe(minuteScans.length);
    const { rows: perMinute } = await db.query<{ name: string; minute: Date; jobs: string }>(
      `SELECT name, date_trunc('minute', created_on) AS minute, count(*) AS jobs FROM pgboss.job
        WHERE name = ANY($1) AND NOT (id = ANY($2::uuid[])) GROUP BY 1, 2 HAVING count(*) > 1`,
      [names, sentIds],
    );
    expect(perMinute).toEqual([]);
  }, 130_000);
});
