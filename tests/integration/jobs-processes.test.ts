/**
 * The job queue across processes: a restart, a kill -9 mid-job, SIGTERM with a running job, and two
 * ARES processes sharing one PostgreSQL. Each worker is tests/support/jobs-child.ts in its own process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import pg from "pg";

type ChildEvent = { event: string; at: number; id?: string; attempt?: number; queue?: string; due?: number };

type Child = {
  process: ChildProcess;
  events: ChildEvent[];
  output: () => string;
  exited: Promise<number | null>;
  waitFor: (match: (event: ChildEvent) => boolean, timeoutMs?: number) => Promise<ChildEvent>;
};

const root = path.resolve(import.meta.dirname, "../..");
const children: Child[] = [];

function startChild(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/jobs-child.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "test",
      LOG_LEVEL: "error",
      LOG_PRETTY: "false",
      ...env,
    } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: ChildEvent[] = [];
  let text = "";
  let buffered = "";
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stdout!.on("data", (chunk: Buffer) => {
    text += chunk.toString();
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const entry = line.startsWith("{") ? (JSON.parse(line) as ChildEvent) : undefined;
      if (entry?.event) events.push(entry);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const handle: Child = {
    process: child,
    events,
    output: () => text,
    exited,
    async waitFor(match, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`child event not seen (exit ${child.exitCode}):\n${text}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
  children.push(handle);
  return handle;
}

async function stop(child: Child, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
  return child.exited;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
  for (const child of children) await stop(child, "SIGKILL");
});

const modes = inject("databaseMode") === "postgres" ? (["postgres", "embedded"] as const) : (["embedded"] as const);

describe.each(modes)("job workers as processes (%s)", (mode) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-jobs-"));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const databaseEnv = (): Record<string, string> =>
    mode === "postgres" ? { DATABASE_URL: process.env.DATABASE_URL! } : { CHILD_DATA_DIR: dataDir };

  it("a job due while ARES was down runs once when it is back", async () => {
    const first = startChild({ ...databaseEnv(), CHILD_SEND_AFTER_MS: "2500" });
    const sent = await first.waitFor((event) => event.event === "sent");
    await first.waitFor((event) => event.event === "ready");
    expect(await stop(first)).toBe(0);
    expect(first.events.some((event) => event.event === "start")).toBe(false);
    await sleep(Math.max(0, sent.due! - Date.now() + 1_000));

    const second = startChild(databaseEnv());
    const started = await second.waitFor((event) => event.event === "start" && event.id === sent.id);
    expect(started.attempt).toBe(1);
    await second.waitFor((event) => event.event === "done" && event.id === sent.id);
    await sleep(2_000);
    expect(second.events.filter((event) => event.event === "start" && event.id === sent.id)).toHaveLength(1);
    expect(await stop(second)).toBe(0);
  }, 120_000);

  it("SIGTERM stops fetching and lets the running job finish within the grace period", async () => {
    const worker = startChild({
      ...databaseEnv(),
      CHILD_SEND_AFTER_MS: "0",
      CHILD_SLOW_MS: "1500",
      SHUTDOWN_GRACE_MS: "5000",
    });
    const started = await worker.waitFor((event) => event.event === "start");
    worker.process.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    const done = worker.events.find((event) => event.event === "done" && event.id === started.id);
    const stopped = worker.events.find((event) => event.event === "stopped");
    expect(done).toBeDefined();
    expect(done!.at).toBeLessThanOrEqual(stopped!.at);
    expect(worker.events.filter((event) => event.event === "start")).toHaveLength(1);
  }, 120_000);

  it("a job whose worker was killed with -9 is retried after its expiry", async () => {
    const doomed = startChild({ ...databaseEnv(), CHILD_SEND_AFTER_MS: "0", CHILD_SLOW_MS: "60000" });
    const started = await doomed.waitFor((event) => event.event === "start");
    expect(started.attempt).toBe(1);
    await stop(doomed, "SIGKILL");

    const next = startChild(databaseEnv());
    const retried = await next.waitFor((event) => event.event === "start" && event.id === started.id, 60_000);
    expect(retried.attempt).toBe(2);
    // Not before pg-boss's expiry had passed: the job's 3 s timeout plus the 5 s margin that lets our own
    // timeout fail a live attempt first.
    expect(retried.at - started.at).toBeGreaterThanOrEqual(8_000);
    await next.waitFor((event) => event.event === "done" && event.id === started.id);
    expect(await stop(next)).toBe(0);
  }, 120_000);

  // The embedded database serves one process by design, so two processes only exist on PostgreSQL.
  if (mode === "postgres")
    it("two processes on one PostgreSQL run each scheduled occurrence once", async () => {
      // pg-boss schedules at minute granularity at most once per minute: wait for one whole occurrence.
      const env = { ...databaseEnv(), CHILD_CRON: "* * * * *" };
      const workers = [startChild(env), startChild(env)];
      await Promise.all(workers.map((worker) => worker.waitFor((event) => event.event === "ready")));
      const ticksOf = () =>
        workers.flatMap((worker) =>
          worker.events.filter((event) => event.event === "start" && event.queue === "test.tick"),
        );
      const deadline = Date.now() + 75_000;
      while (ticksOf().length === 0 && Date.now() < deadline) await sleep(250);
      await sleep(5_000);
      await Promise.all(workers.map((worker) => stop(worker)));
      const ticks = ticksOf();
      expect(ticks.length).toBeGreaterThanOrEqual(1);
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ minutes: string; jobs: string }>(
          `SELECT count(DISTINCT date_trunc('minute', created_on)) AS minutes, count(*) AS jobs
           FROM pgboss.job WHERE name = 'test.tick'`,
        );
        // One job per occurrence, though both processes keep the schedule, and each ran once, in one process.
        expect(Number(rows[0]!.jobs)).toBe(Number(rows[0]!.minutes));
        expect(ticks).toHaveLength(Number(rows[0]!.jobs));
        expect(new Set(ticks.map((tick) => tick.id)).size).toBe(ticks.length);
      } finally {
        await client.end();
      }
    }, 120_000);
});
