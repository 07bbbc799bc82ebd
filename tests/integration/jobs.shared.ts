/**
 * The job queue's behaviour, run once on PostgreSQL (jobs.test.ts) and once on the embedded PGlite
 * (jobs-embedded.test.ts). App modules are imported inside the hooks so the embedded file can point
 * the database at PGlite first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type * as DbModule from "~/db/db.server";
import type { defineJob as DefineJob } from "~/jobs/define.server";
import type * as QueueModule from "~/jobs/queue.server";
import type * as StatsModule from "~/jobs/stats.server";
import type * as MetricsModule from "~/observability/metrics.server";

type Run = { queue: string; id: string; attempt: number; at: number; sawMarker?: boolean };

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
      await app.queue.startJobs({
        jobs: Object.values(jobs),
        tuning: { superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 },
      });
    }, 60_000);

    afterAll(async () => {
      await app.queue.stopJobs(2_000);
    });

    const runsOf = (id: string | null) => runs.filter((run) => run.id === id);

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
      expect(await app.queue.retryJob("test.flaky", id!)).toBe(true);
      await until(() => runsOf(id).length === 4 || undefined, 10_000, "the retried job");
      await until(
        async () =>
          (await app.stats.queueCounts(app.db.pool())).find(
            (count) => count.queue === "test.flaky" && count.state === "completed" && count.count === 1,
          ),
        5_000,
        "the retried job to complete",
      );
      expect(await app.queue.retryJob("test.flaky", id!)).toBe(false);
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
      const context = { id: "direct", attempt: 1, signal: new AbortController().signal };
      await purgeSessionsJob.handler({}, context);
      await purgeSessionsJob.handler({}, context);
      const left = await app.db.prisma.session.findMany({ where: { userId: user.id }, select: { id: true } });
      expect(left.map((session) => session.id)).toEqual([live]);
    });
  });
}
