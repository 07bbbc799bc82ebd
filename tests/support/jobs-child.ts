/**
 * One ARES job worker as its own process, for the restart, kill -9 and two-process tests
 * (tests/integration/jobs-processes.test.ts). It prints one JSON line per event on stdout.
 *
 * Env: DATABASE_URL (PostgreSQL) or CHILD_DATA_DIR (embedded PGlite); CHILD_SLOW_MS (how long a
 * `test.slow` job runs); CHILD_CRON (schedule `test.tick` on it); CHILD_SEND_AFTER_MS (send one
 * `test.slow` job due that many ms from now); SHUTDOWN_GRACE_MS.
 */
import { z } from "zod";

const print = (event: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ ...event, at: Date.now() })}\n`);

let stopEmbedded: (() => Promise<void>) | undefined;
if (process.env.CHILD_DATA_DIR) {
  const { startEmbeddedDatabase } = await import("~/db/embedded.server");
  const { applyPendingMigrations } = await import("~/db/migrations.server");
  const embedded = await startEmbeddedDatabase(process.env.CHILD_DATA_DIR);
  await applyPendingMigrations(embedded.url, true);
  stopEmbedded = embedded.stop;
  process.env.DATABASE_URL = embedded.url;
  process.env.ARES_EMBEDDED_DB = "1";
}

const { defineJob } = await import("~/jobs/define.server");
const { sendJob, startJobs, stopJobs } = await import("~/jobs/queue.server");
const { closeDb } = await import("~/db/db.server");

const slow = defineJob({
  name: "test.slow",
  payload: z.object({ label: z.string() }),
  retry: { limit: 2, delaySeconds: 1, maxDelaySeconds: 5 },
  timeoutSeconds: 3,
  async handler(payload, context) {
    print({ event: "start", queue: "test.slow", id: context.id, attempt: context.attempt, label: payload.label });
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.CHILD_SLOW_MS ?? 0)));
    print({ event: "done", queue: "test.slow", id: context.id, attempt: context.attempt });
  },
});

const tick = defineJob({
  name: "test.tick",
  payload: z.object({}),
  retry: { limit: 0, delaySeconds: 1, maxDelaySeconds: 1 },
  timeoutSeconds: 30,
  async handler(_payload, context) {
    print({ event: "start", queue: "test.tick", id: context.id, attempt: context.attempt });
  },
});

const cron = process.env.CHILD_CRON;
await startJobs({
  jobs: [slow, tick],
  schedules: cron ? [{ job: tick, cron, payload: {} }] : [],
  tuning: {
    superviseIntervalSeconds: 1,
    monitorIntervalSeconds: 1,
    cronMonitorIntervalSeconds: 1,
    cronWorkerIntervalSeconds: 1,
  },
});
if (process.env.CHILD_SEND_AFTER_MS) {
  const startAfter = new Date(Date.now() + Number(process.env.CHILD_SEND_AFTER_MS));
  const id = await sendJob(slow, { label: "sent" }, { startAfter });
  print({ event: "sent", id, due: startAfter.getTime() });
}
print({ event: "ready" });

process.on("SIGTERM", () => {
  print({ event: "stopping" });
  void (async () => {
    await stopJobs(Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000));
    await closeDb();
    await stopEmbedded?.();
    print({ event: "stopped" });
    process.exit(0);
  })();
});
