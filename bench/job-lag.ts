/**
 * Lag from a delayed job's due time to the start of its handler, p50/p95 over N jobs (default 200)
 * due over 10 seconds, on PostgreSQL and on the embedded PGlite, with the default polling interval
 * (JOBS_POLL_INTERVAL_MS). Target: p95 ≤ 2 s on both.
 *   npx tsx bench/job-lag.ts [jobs=200]
 * Each database runs in a child process of its own (the app keeps one database pool per process).
 */
import { spawn } from "node:child_process";
import { z } from "zod";
import { benchDatabase, ms, percentile } from "./support";
import { printBenchSummary, type BenchFigure } from "./summary";

const jobs = Number(process.argv[2] ?? 200);
const WINDOW_MS = 10_000;
// Every job is sent before the first is due, so no job is measured from a due time that passed before it existed.
const LEAD_MS = 3_000 + 50 * jobs;

type Result = { mode: string; jobs: number; p50: number; p95: number; max: number; pollIntervalMs: number };

async function measure(mode: "postgres" | "embedded"): Promise<Result> {
  let stopDatabase: () => Promise<void>;
  if (mode === "embedded") {
    const { startEmbeddedDatabase } = await import("~/db/embedded.server");
    const { applyPendingMigrations } = await import("~/db/migrations.server");
    const embedded = await startEmbeddedDatabase(undefined);
    await applyPendingMigrations(embedded.url, true);
    process.env.DATABASE_URL = embedded.url;
    process.env.ARES_EMBEDDED_DB = "1";
    stopDatabase = embedded.stop;
  } else {
    const database = await benchDatabase("job_lag");
    process.env.DATABASE_URL = database.url;
    stopDatabase = database.drop;
  }
  const { defineJob } = await import("~/jobs/define.server");
  const { sendJob, startJobs, stopJobs } = await import("~/jobs/queue.server");
  const { closeDb } = await import("~/db/db.server");
  const { config } = await import("~/config/env.server");

  const lags: number[] = [];
  let finish: () => void = () => {};
  const allStarted = new Promise<void>((resolve) => (finish = resolve));
  const lagJob = defineJob({
    name: "bench.lag",
    payload: z.object({ due: z.number() }),
    retry: { limit: 0, delaySeconds: 1, maxDelaySeconds: 1 },
    timeoutSeconds: 60,
    async handler(payload) {
      lags.push(Date.now() - payload.due);
      if (lags.length === jobs) finish();
    },
  });
  await startJobs({ jobs: [lagJob] });
  const first = Date.now() + LEAD_MS;
  for (let index = 0; index < jobs; index += 1) {
    const due = first + Math.round((index * WINDOW_MS) / jobs);
    await sendJob(lagJob, { due }, { startAfter: new Date(due) });
  }
  if (Date.now() > first) throw new Error("sending took longer than the lead time; lower the job count");
  await allStarted;
  await stopJobs(5_000);
  await closeDb();
  await stopDatabase();
  return {
    mode,
    jobs: lags.length,
    p50: percentile(lags, 50),
    p95: percentile(lags, 95),
    max: Math.max(...lags),
    pollIntervalMs: config().jobs.pollIntervalMs,
  };
}

function runChild(mode: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", import.meta.filename, String(jobs)], {
      env: { ...process.env, JOB_LAG_MODE: mode, NODE_ENV: "test", LOG_LEVEL: "error" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) => {
      const line = output.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`${mode} run failed (${code}):\n${output}`));
      else resolve(JSON.parse(line) as Result);
    });
  });
}

const childMode = process.env.JOB_LAG_MODE;
if (childMode === "postgres" || childMode === "embedded") {
  process.stdout.write(`${JSON.stringify(await measure(childMode))}\n`);
  process.exit(0);
} else {
  console.log(`job lag (due time → handler start), ${jobs} delayed jobs due over ${WINDOW_MS / 1000} s:`);
  const figures: BenchFigure[] = [];
  for (const mode of ["postgres", "embedded"]) {
    const result = await runChild(mode);
    const verdict = result.p95 <= 2_000 ? "ok" : "OVER TARGET";
    console.log(
      `  ${mode.padEnd(9)} jobs ${result.jobs}  p50 ${ms(result.p50)}  p95 ${ms(result.p95)}  max ${ms(result.max)}` +
        `  (poll ${result.pollIntervalMs} ms; target p95 ≤ 2000 ms: ${verdict})`,
    );
    figures.push({
      name: `job lag p95, ${mode}`,
      value: result.p95,
      unit: "ms",
      target: "≤ 2000 ms",
      pass: result.p95 <= 2_000,
    });
  }
  printBenchSummary("job-lag", figures);
}
