/**
 * The job queue's behaviour, run once on PostgreSQL (jobs.test.ts) and once on the embedded PGlite
 * (jobs-embedded.test.ts). App modules are imported inside the hooks so the embedded file can point
 * the database at PGlite first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type * as DbModule from "~/db/db.server";
import type { defineJob as DefineJob, JobDefinition } from "~/jobs/define.server";
import type * as QueueModule from "~/jobs/queue.server";
import type * as StatsModule from "~/jobs/stats.server";
import type * as MetricsModule from "~/observability/metrics.server";

type Run = { queue: string; id: string; attempt: number; at: number; sawMarker?: boolean; label?: string };
type Abort = { id: string; at: number; reason: string };

// Cron schedules of this suite are evaluated in a zone that is neither UTC nor a whole hour off it.
// Set before any app module reads the configuration (they are imported in the hooks).
const TIME_ZONE = "Pacific/Chatham";
process.env.JOBS_TIME_ZONE = TIME_ZONE;

async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function jobsSuite(mode: "postgres" | "embedded") {
  describe(`background jobs (${mode})`, () => {
    const runs: Run[] = [];
    const aborts: Abort[] = [];
    let flakyFails = true;
    let app: {
      queue: typeof QueueModule;
      stats: typeof StatsModule;
      db: typeof DbModule;
      metrics: typeof MetricsModule;
    };
    let jobs: ReturnType<typeof defineJobs>;

    function defineJobs(defineJob: typeof DefineJob) {
      const retry = { limit: 0, delaySeconds: 1, maxDelaySeconds: 1 };
      return {
        // A batch of these runs together; `ms` long, or until the signal aborts.
        batch: defineJob({
          name: "test.batch",
          payload: z.object({ label: z.string(), ms: z.number() }),
          retry: { limit: 1, delaySeconds: 1, maxDelaySeconds: 1 },
          timeoutSeconds: 4,
          async handler(payload, context) {
            runs.push({
              queue: "test.batch",
              id: context.id,
              attempt: context.attempt,
              at: Date.now(),
              label: payload.label,
            });
            if (payload.ms === 0) return;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, payload.ms);
              context.signal.addEventListener(
                "abort",
                () => {
                  clearTimeout(timer);
                  resolve();
                },
                { once: true },
              );
            });
            if (context.signal.aborted) {
              const reason = context.signal.reason as Error | undefined;
              aborts.push({ id: context.id, at: Date.now(), reason: reason?.name ?? String(reason) });
              throw reason;
            }
          },
        }),
        // Always fails; a retry waits an hour, so a failed job sits beside one waiting to retry.
        stately: defineJob({
          name: "test.stately",
          payload: z.object({ key: z.string() }),
          retry: { limit: 1, delaySeconds: 3600, maxDelaySeconds: 3600 },
          timeoutSeconds: 30,
          singletonKey: (payload) => payload.key,
          async handler(_payload, context) {
            runs.push({ queue: "test.stately", id: context.id, attempt: context.attempt, at: Date.now() });
            throw new Error("the stately service is down");
          },
        }),
        strict: defineJob({
          name: "test.strict",
          payload: z.object({ n: z.number() }),
          retry: { limit: 2, delaySeconds: 1, maxDelaySeconds: 1 },
          timeoutSeconds: 30,
          async handler(_payload, context) {
            runs.push({ queue: "test.strict", id: context.id, attempt: context.attempt, at: Date.now() });
          },
        }),
        cron: defineJob({
          name: "test.cron",
          payload: z.object({}),
          retry: { limit: 0, delaySeconds: 1, maxDelaySeconds: 1 },
          timeoutSeconds: 30,
          singletonKey: () => "test.cron",
          async handler(_payload, context) {
            runs.push({ queue: "test.cron", id: context.id, attempt: context.attempt, at: Date.now() });
          },
        }),
        delayed: defineJob({
          name: "test.delayed",
          payload: z.object({ n: z.number() }),
          retry,
          timeoutSeconds: 30,
          async handler(_payload, context) {
            runs.push({ queue: "test.delayed", id: context.id, attempt: context.attempt, at: Date.now() });
          },
        }),
        flaky: defineJob({
          name: "test.flaky",
          payload: z.object({}),
          retry: { limit: 2, delaySeconds: 1, maxDelaySeconds: 30 },
          timeoutSeconds: 30,
          async handler(_payload, context) {
            runs.push({ queue: "test.flaky", id: context.id, attempt: context.attempt, at: Date.now() });
            if (flakyFails) throw new Error("the flaky service is down");
          },
        }),
        recorder: defineJob({
          name: "test.recorder",
          payload: z.object({ key: z.string() }),
          retry,
          timeoutSeconds: 30,
          singletonKey: (payload) => payload.key,
          async handler(payload, context) {
            const seen = await app.db.prisma.$queryRaw<Array<{ key: string }>>`
              SELECT key FROM test_job_effect WHERE key = 'marker'`;
            runs.push({
              queue: "test.recorder",
              id: context.id,
              attempt: context.attempt,
              at: Date.now(),
              sawMarker: seen.length > 0,
            });
            await app.db.prisma
              .$executeRaw`INSERT INTO test_job_effect (key) VALUES (${payload.key}) ON CONFLICT DO NOTHING`;
          },
        }),
      };
    }

    beforeAll(async () => {
      app = {
        queue: await import("~/jobs/queue.server"),
        stats: await import("~/jobs/stats.server"),
        db: await import("~/db/db.server"),
        metrics: await import("~/observability/metrics.server"),
      };
      const { defineJob } = await import("~/jobs/define.server");
      jobs = defineJobs(defineJob);
      await app.db.prisma.$executeRawUnsafe("CREATE TABLE IF NOT EXISTS test_job_effect (key text PRIMARY KEY)");
      await app.queue.startJobs({ jobs: Object.values(jobs), tuning });
    }, 60_000);

    afterAll(async () => {
      await app.queue.stopJobs(2_000);
    });

    const runsOf = (id: string | null) => runs.filter((run) => run.id === id);
    const tuning = { superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 };
    const jobState = async (id: string | null) =>
      (
        await app.db
          .pool()
          .query<{ state: string; retry_count: number; output: { message?: string } | null }>(
            "SELECT state::text AS state, retry_count, output FROM pgboss.job WHERE id = $1",
            [id],
          )
      ).rows[0];
    async function restart(options: Partial<QueueModule.StartJobsOptions> = {}) {
      await app.queue.stopJobs(1_000);
      await app.queue.startJobs({ jobs: Object.values(jobs), tuning, ...options });
    }

    it("a delayed job runs once, at its due time and not before", async () => {
      const due = new Date(Date.now() + 1_500);
      const id = await app.queue.sendJob(jobs.delayed, { n: 1 }, { startAfter: due });
      expect(id).toBeTruthy();
      await sleep(1_000);
      expect(runsOf(id)).toHaveLength(0);
      const [run] = await until(() => (runsOf(id).length > 0 ? runsOf(id) : undefined), 10_000, "the delayed job");
      expect(run!.at).toBeGreaterThanOrEqual(due.getTime() - 50);
      expect(run!.at - due.getTime()).toBeLessThan(3_000);
      await sleep(2_500);
      expect(runsOf(id)).toHaveLength(1);
    });

    it("a failing job is retried with growing delays, then failed and listed; Retry runs it again", async () => {
      flakyFails = true;
      const id = await app.queue.sendJob(jobs.flaky, {});
      const failed = await until(
        async () => (await app.stats.failedJobs(app.db.pool())).find((job) => job.id === id && job.state === "failed"),
        30_000,
        "the job to fail for good",
      );
      const attempts = runsOf(id);
      expect(attempts.map((run) => run.attempt)).toEqual([1, 2, 3]);
      // pg-boss's exponential backoff from 1 s: the first wait is at least 0.5 s, the second at least 1 s.
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(450);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(950);
      expect(failed).toMatchObject({ queue: "test.flaky", attempts: 3, error: "the flaky service is down" });
      const counts = await app.stats.queueCounts(app.db.pool());
      expect(counts).toContainEqual({ queue: "test.flaky", state: "failed", count: 1 });

      flakyFails = false;
      expect(await app.queue.retryJob("test.flaky", id!)).toBe("retried");
      await until(() => runsOf(id).length === 4 || undefined, 10_000, "the retried job");
      await until(
        async () =>
          (await app.stats.queueCounts(app.db.pool())).find(
            (count) => count.queue === "test.flaky" && count.state === "completed" && count.count === 1,
          ),
        5_000,
        "the retried job to complete",
      );
      expect(await app.queue.retryJob("test.flaky", id!)).toBe("not-failed");
      const metrics = await app.metrics.metricsRegistry.metrics();
      expect(metrics).toContain('ares_jobs_total{queue="test.flaky",result="error"} 3');
      expect(metrics).toContain('ares_jobs_total{queue="test.flaky",result="completed"} 1');
      expect(metrics).toContain('ares_job_queue_depth{queue="test.flaky",state="completed"} 1');
      expect(metrics).toContain('ares_job_queue_depth{queue="test.flaky",state="failed"} 0');
      expect(metrics).toMatch(/ares_job_duration_seconds_count\{queue="test.flaky"\} 4/);
    }, 45_000);

    it("a job sent inside a transaction exists only if the transaction commits", async () => {
      class RolledBack extends Error {}
      await expect(
        app.db.prisma.$transaction(async (tx) => {
          await tx.$executeRaw`INSERT INTO test_job_effect (key) VALUES ('rolled-back-write')`;
          await app.queue.sendJob(jobs.recorder, { key: "rolled-back" }, { tx });
          throw new RolledBack();
        }),
      ).rejects.toBeInstanceOf(RolledBack);
      const id = await app.db.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`INSERT INTO test_job_effect (key) VALUES ('committed-write')`;
        return app.queue.sendJob(jobs.recorder, { key: "committed" }, { tx });
      });
      await until(() => runsOf(id).length > 0 || undefined, 10_000, "the committed job");
      const { rows } = await app.db
        .pool()
        .query<{ count: string }>(
          "SELECT count(*) FROM pgboss.job WHERE name = 'test.recorder' AND data->>'key' = 'rolled-back'",
        );
      expect(Number(rows[0]!.count)).toBe(0);
    });

    it("a dedup key keeps one waiting job per key", async () => {
      const later = new Date(Date.now() + 60_000);
      const first = await app.queue.sendJob(jobs.recorder, { key: "dedup" }, { startAfter: later });
      const second = await app.queue.sendJob(jobs.recorder, { key: "dedup" }, { startAfter: later });
      expect(first).toBeTruthy();
      expect(second).toBeNull();
      expect(await app.queue.cancelJob("test.recorder", first!)).toBe(true);
    });

    it("jobs run while another request holds a transaction, never inside it, and are not blocked for good", async () => {
      const due = Date.now() + 300;
      const id = await app.queue.sendJob(jobs.recorder, { key: "beside-a-transaction" }, { startAfter: new Date(due) });
      class RolledBack extends Error {}
      let transactionEnded = 0;
      await expect(
        app.db.prisma.$transaction(
          async (tx) => {
            await tx.$executeRaw`INSERT INTO test_job_effect (key) VALUES ('marker')`;
            await sleep(2_500);
            transactionEnded = Date.now();
            throw new RolledBack();
          },
          { timeout: 10_000 },
        ),
      ).rejects.toBeInstanceOf(RolledBack);
      const [run] = await until(() => (runsOf(id).length > 0 ? runsOf(id) : undefined), 10_000, "the job");
      // It never saw the transaction's uncommitted row, and its own write survived the rollback.
      expect(run!.sawMarker).toBe(false);
      const rows = await app.db.prisma.$queryRaw<Array<{ key: string }>>`
        SELECT key FROM test_job_effect WHERE key IN ('marker', 'beside-a-transaction')`;
      expect(rows.map((row) => row.key)).toEqual(["beside-a-transaction"]);
      if (mode === "embedded") {
        // One connection: the worker waited its turn, then ran promptly.
        expect(run!.at).toBeGreaterThanOrEqual(transactionEnded);
        expect(run!.at - transactionEnded).toBeLessThan(3_000);
      } else {
        // Its own connections: it ran on time, during the transaction.
        expect(run!.at).toBeLessThan(transactionEnded);
      }
    }, 30_000);

    it("the session purge job is idempotent: run twice, it deletes the ended sessions once", async () => {
      const { purgeSessionsJob } = await import("~/jobs/registry.server");
      const { makeUser, makeSession } = await import("../support/accounts");
      const user = await makeUser();
      const { sessionRowId } = await import("~/sessions/sessions.server");
      // makeSession returns the cookie's secret; the row is keyed by its digest.
      const ended = sessionRowId(await makeSession(user.id));
      const live = sessionRowId(await makeSession(user.id));
      const longAgo = new Date(Date.now() - 30 * 24 * 60 * 60 * 1000);
      await app.db.prisma.session.update({ where: { id: ended }, data: { revokedAt: longAgo } });
      // It honours its signal (timeout, shutdown): aborted before it starts, it deletes nothing.
      const aborted = new AbortController();
      aborted.abort(new Error("shutting down"));
      await expect(purgeSessionsJob.handler({}, { id: "direct", attempt: 1, signal: aborted.signal })).rejects.toThrow(
        "shutting down",
      );
      expect(await app.db.prisma.session.count({ where: { id: ended } })).toBe(1);
      const context = { id: "direct", attempt: 1, signal: new AbortController().signal };
      await purgeSessionsJob.handler({}, context);
      await purgeSessionsJob.handler({}, context);
      const left = await app.db.prisma.session.findMany({ where: { userId: user.id }, select: { id: true } });
      expect(left.map((session) => session.id)).toEqual([live]);
    });

    it("the hourly purge job also deletes .ics import reports over an hour old, and only those", async () => {
      const { purgeSessionsJob } = await import("~/jobs/registry.server");
      const { makeUser } = await import("../support/accounts");
      const user = await makeUser();
      const report = { created: 1, updated: 0, skipped: [] };
      const old = await app.db.prisma.calendarImport.create({
        data: { userId: user.id, report, createdAt: new Date(Date.now() - 61 * 60_000) },
      });
      const recent = await app.db.prisma.calendarImport.create({ data: { userId: user.id, report } });
      const context = { id: "direct", attempt: 1, signal: new AbortController().signal };
      await purgeSessionsJob.handler({}, context);
      const left = await app.db.prisma.calendarImport.findMany({ where: { userId: user.id }, select: { id: true } });
      expect(left.map((row) => row.id)).toEqual([recent.id]);
      expect(old.id).not.toBe(recent.id);
    });

    it("the hourly purge job also deletes message-box texts kept over a day ago, and only those", async () => {
      const { purgeSessionsJob } = await import("~/jobs/registry.server");
      const { makeUser } = await import("../support/accounts");
      const user = await makeUser();
      await app.db.prisma.keptComposerText.createMany({
        data: [
          { userId: user.id, page: "/chat", message: "left yesterday", keptAt: new Date(Date.now() - 25 * 3600_000) },
          { userId: user.id, page: "/chat/recent", message: "left just now" },
        ],
      });
      const context = { id: "direct", attempt: 1, signal: new AbortController().signal };
      await purgeSessionsJob.handler({}, context);
      const left = await app.db.prisma.keptComposerText.findMany({ where: { userId: user.id } });
      expect(left.map((row) => row.message)).toEqual(["left just now"]);
    });

    it("Retry of a failed job whose key already has a run waiting to retry answers so, without an error", async () => {
      const waiting = await app.queue.sendJob(jobs.stately, { key: "conflict" });
      await until(async () => (await jobState(waiting))?.state === "retry", 10_000, "the first run to wait to retry");
      // The second run of the key fails while the first waits to retry: pg-boss fails it for good.
      const failed = await app.queue.sendJob(jobs.stately, { key: "conflict" });
      expect(failed).toBeTruthy();
      await until(async () => (await jobState(failed))?.state === "failed", 10_000, "the second run to fail");
      expect(await app.queue.retryJob("test.stately", failed!)).toBe("already-waiting");
      expect((await jobState(failed))?.state).toBe("failed");
      // Once the waiting run is gone, the failed one can be retried.
      expect(await app.queue.cancelJob("test.stately", waiting!)).toBe(true);
      expect(await app.queue.retryJob("test.stately", failed!)).toBe("retried");
      await until(async () => (await jobState(failed))?.state === "retry", 10_000, "the retried run to fail again");
      expect(await app.queue.cancelJob("test.stately", failed!)).toBe(true);
    }, 30_000);

    it("a payload that fails validation fails at once, without retries", async () => {
      // A sender with an older idea of the payload (the worker's schema wants a number).
      const older = { ...jobs.strict, payload: z.object({ n: z.string() }) } as unknown as JobDefinition;
      const id = await app.queue.sendJob(older, { n: "seven" });
      const failed = await until(
        async () => (await app.stats.failedJobs(app.db.pool())).find((job) => job.id === id && job.state === "failed"),
        10_000,
        "the job to fail",
      );
      expect(failed.attempts).toBe(1);
      expect(failed.error).toMatch(/^invalid payload: /);
      expect(runsOf(id)).toHaveLength(0);
      const metrics = await app.metrics.metricsRegistry.metrics();
      expect(metrics).toContain('ares_jobs_total{queue="test.strict",result="invalid"} 1');
    }, 20_000);

    it("a job that finished is not run again when a slower job of its batch times out; our timeout aborts the signal", async () => {
      const due = new Date(Date.now() + 1_200);
      const fast = await app.queue.sendJob(jobs.batch, { label: "fast", ms: 0 }, { startAfter: due });
      const slow = await app.queue.sendJob(jobs.batch, { label: "slow", ms: 60_000 }, { startAfter: due });
      await until(async () => (await jobState(slow))?.state === "retry", 15_000, "the slow job to time out");
      const [slowRun] = runsOf(slow);
      const [fastRun] = runsOf(fast);
      // Fetched together, in one batch.
      expect(Math.abs(slowRun!.at - fastRun!.at)).toBeLessThan(500);
      // Our timeout (4 s) fired, not pg-boss's expiry: the signal aborted then, with our reason.
      const abort = aborts.find((each) => each.id === slow);
      expect(abort).toMatchObject({ reason: "JobTimeoutError" });
      expect(abort!.at - slowRun!.at).toBeGreaterThanOrEqual(3_900);
      expect(abort!.at - slowRun!.at).toBeLessThan(5_000);
      expect((await jobState(slow))?.output?.message).toBe("timed out after 4 s");
      expect(await app.queue.cancelJob("test.batch", slow!)).toBe(true);
      await sleep(2_500);
      expect(await jobState(fast)).toMatchObject({ state: "completed" });
      expect(runsOf(fast)).toHaveLength(1);
    }, 30_000);

    it("a shutdown after its grace fails only the jobs still running, and aborts their signal", async () => {
      const due = new Date(Date.now() + 1_200);
      const fast = await app.queue.sendJob(jobs.batch, { label: "fast", ms: 0 }, { startAfter: due });
      const slow = await app.queue.sendJob(jobs.batch, { label: "slow", ms: 60_000 }, { startAfter: due });
      await until(() => runsOf(slow).length > 0 && runsOf(fast).length > 0, 10_000, "both jobs to start");
      // The fast job has finished; the slow one runs on, well inside its 4 s timeout, when ARES stops.
      await sleep(300);
      const stopping = Date.now();
      await app.queue.stopJobs(1_000);
      // The job that had finished stays completed: it will not run again.
      expect(await jobState(fast)).toMatchObject({ state: "completed" });
      // The slow job's handler was told to stop when pg-boss gave up on it, not at its own timeout.
      const abort = await until(() => aborts.find((each) => each.id === slow), 3_000, "the slow job's signal");
      expect(abort.reason).not.toBe("JobTimeoutError");
      expect(abort.at).toBeGreaterThanOrEqual(stopping + 900);
      expect(abort.at - runsOf(slow)[0]!.at).toBeLessThan(3_500);
      expect((await jobState(slow))?.state).toBe("retry");
      await app.queue.startJobs({ jobs: Object.values(jobs), tuning });
      expect(await app.queue.cancelJob("test.batch", slow!)).toBe(true);
      await sleep(2_000);
      expect(runsOf(fast)).toHaveLength(1);
    }, 30_000);

    it("a queue created before its job type had a dedup key is reported; a send-only process says so", async () => {
      // test.delayed was created without a key (standard policy); pg-boss cannot change that in place.
      const keyed = { ...jobs.delayed, singletonKey: () => "one" } as JobDefinition;
      await restart({ jobs: [...Object.values(jobs).filter((job) => job.name !== "test.delayed"), keyed] });
      expect(app.queue.queuePolicyMismatches()).toEqual([
        { queue: "test.delayed", policy: "standard", wanted: "stately" },
      ]);
      await restart({ work: false });
      expect(app.queue.queuePolicyMismatches()).toEqual([]);
      expect(app.queue.workerStatus()).toEqual({ state: "disabled", lastPollAt: null });
      await restart();
      await until(() => app.queue.workerStatus().lastPollAt !== null, 5_000, "a poll");
      expect(app.queue.workerStatus().state).toBe("running");
    }, 30_000);

    it("cron runs in the configured zone with the job's dedup key; runs missed while down are sent once", async () => {
      // An hourly minute that is not now, so only a missed occurrence can send a job.
      const minute = (new Date().getUTCMinutes() + 30) % 60;
      const cronTuning = { ...tuning, cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1 };
      const schedules = [{ job: jobs.cron, cron: `${minute} * * * *`, payload: {} }];
      await restart({ schedules, tuning: cronTuning });
      const { rows } = await app.db
        .pool()
        .query<{ timezone: string; options: Record<string, unknown> }>(
          "SELECT timezone, options FROM pgboss.schedule WHERE name = 'test.cron'",
        );
      expect(rows).toEqual([
        { timezone: TIME_ZONE, options: expect.objectContaining({ missed: "once", singletonKey: "test.cron" }) },
      ]);
      // ARES was down for three hours: three occurrences missed.
      await app.queue.stopJobs(1_000);
      await app.db.pool().query("UPDATE pgboss.schedule SET created_on = now() - interval '3 hours'");
      await app.db.pool().query("UPDATE pgboss.version SET cron_on = now() - interval '3 hours'");
      await app.queue.startJobs({ jobs: Object.values(jobs), schedules, tuning: cronTuning });
      await until(() => runs.some((run) => run.queue === "test.cron"), 15_000, "the missed run");
      await sleep(3_000);
      expect(runs.filter((run) => run.queue === "test.cron")).toHaveLength(1);
      const jobsSent = await app.db.pool().query("SELECT 1 FROM pgboss.job WHERE name = 'test.cron'");
      expect(jobsSent.rowCount).toBe(1);
    }, 45_000);
  });
}
