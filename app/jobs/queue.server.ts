import { fromPrisma, PgBoss, type ConstructorOptions, type Db, type JobResult, type JobWithMetadata } from "pg-boss";
import type pg from "pg";
import { z } from "zod";
import { config } from "~/config/env.server";
import { pool } from "~/db/db.server";
import type { Prisma } from "~/generated/prisma/client";
import { reportFailure } from "~/observability/error-reporting.server";
import { logger } from "~/observability/logger.server";
import { observeJobRun, setJobQueueDepthProvider } from "~/observability/metrics.server";
import type { JobDefinition, JobSchedule } from "./define.server";
import { queueCounts } from "./stats.server";

/**
 * The durable job queue: pg-boss on ARES's database (see docs/decisions/005-background-jobs.md).
 * server.ts starts it after migrations and stops it before closing the database. On PostgreSQL
 * pg-boss keeps a small pool of its own; on the embedded database, which accepts one connection, it
 * shares the app's single-connection pool, so a statement of the worker waits its turn and never
 * runs inside a request's transaction.
 */

const log = logger.child({ channel: "jobs" });

type JobsState = {
  boss: PgBoss;
  definitions: Map<string, JobDefinition>;
  startedAt: Date;
  stopping: boolean;
  /** false when this process only sends jobs (JOBS_WORKER=false). */
  working: boolean;
  /** Queues whose stored policy differs from what their job type asks for (see checkQueuePolicy). */
  policyMismatches: QueuePolicyMismatch[];
};

// server.ts (tsx) and the Remix bundle load separate copies of this module: both see one queue.
const globalForJobs = globalThis as typeof globalThis & { __aresJobs?: JobsState };

export type StartJobsOptions = {
  jobs: JobDefinition[];
  schedules?: JobSchedule[];
  /** false: this process only sends jobs and serves /admin/jobs; another one works them. */
  work?: boolean;
  /** Overrides of pg-boss's maintenance timings, for tests that cannot wait a minute. */
  tuning?: Pick<
    ConstructorOptions,
    "superviseIntervalSeconds" | "monitorIntervalSeconds" | "cronMonitorIntervalSeconds" | "cronWorkerIntervalSeconds"
  >;
};

/**
 * pg-boss statements on the app's own single-connection pool. Each call checks the connection out
 * for that one statement, so it never runs inside (or interleaves with) a request's transaction.
 */
function appPoolDatabase(): Db {
  return {
    executeSql: async (text, values) => {
      const client = await pool().connect();
      let broken: Error | undefined;
      try {
        const result = (await client.query(text, values as unknown[] | undefined)) as pg.QueryResult | pg.QueryResult[];
        // A multi-statement block (pg-boss's migrations, locked sections) answers with one result per statement.
        return { rows: Array.isArray(result) ? result.flatMap((each) => each.rows ?? []) : result.rows };
      } catch (error) {
        // A failed statement inside pg-boss's BEGIN … COMMIT blocks leaves the transaction aborted; the
        // embedded database has only this connection, so end the transaction before handing it back.
        // If even that fails, the connection is unusable: the pool drops it and opens a new one.
        await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

function createBoss(tuning: StartJobsOptions["tuning"]): PgBoss {
  const { databaseUrl, jobs } = config();
  const embedded = process.env.ARES_EMBEDDED_DB === "1";
  const url = databaseUrl ?? process.env.DATABASE_URL;
  const common: ConstructorOptions = {
    schema: "pgboss",
    // pg-boss installs and upgrades its own schema (ADR 005); Prisma never touches it.
    migrate: true,
    useListenNotify: jobs.listenNotify && !embedded,
    ...tuning,
  };
  if (embedded) return new PgBoss({ ...common, backend: "pglite", db: appPoolDatabase() });
  if (!url) throw new Error("The database is not started: server.ts must start it before the jobs.");
  return new PgBoss({ ...common, connectionString: url, max: jobs.poolMax, application_name: "ares-jobs" });
}

/**
 * How long after our own timeout pg-boss gives up on an attempt. Our timer must fire first: pg-boss's
 * expiry starts earlier (at the claim, in the database) and, when it fires, fails the attempt with its
 * own message. The margin also covers settling the attempt, which on the embedded database may wait for
 * the one connection. A job whose worker died is retried once this has passed.
 */
function expirySeconds(definition: Pick<JobDefinition, "timeoutSeconds">): number {
  return definition.timeoutSeconds + Math.max(5, Math.ceil(definition.timeoutSeconds / 10));
}

function queueOptions(definition: JobDefinition) {
  return {
    retryLimit: definition.retry.limit,
    retryDelay: definition.retry.delaySeconds,
    retryBackoff: true,
    retryDelayMax: definition.retry.maxDelaySeconds,
    expireInSeconds: expirySeconds(definition),
    notify: config().jobs.listenNotify,
  };
}

/** A job type with a dedup key gets at most one queued, one retrying and one running job per key. */
function queuePolicy(definition: JobDefinition): "stately" | "standard" {
  return definition.singletonKey ? "stately" : "standard";
}

export type QueuePolicyMismatch = { queue: string; policy: string; wanted: "stately" | "standard" };

/**
 * pg-boss fixes a queue's policy when the queue is created (updateQueue cannot change it), so a queue
 * made before its job type gained (or lost) a dedup key keeps the old one. We do not recreate it here:
 * deleting a queue deletes its jobs, and another ARES process may be working it right now. The
 * mismatch is logged and shown on /admin/jobs with what to do (ADR 005).
 */
function checkQueuePolicy(definition: JobDefinition, policy: string | undefined): QueuePolicyMismatch | undefined {
  const wanted = queuePolicy(definition);
  if (!policy || policy === wanted) return undefined;
  const mismatch = { queue: definition.name, policy, wanted };
  log.warn(
    mismatch,
    `job queue ${definition.name} keeps its old "${policy}" policy; its job type asks for "${wanted}" ` +
      `(${wanted === "stately" ? "dedup by key is not enforced" : "only one job waits at a time, whatever its payload"}). ` +
      "Recreate the queue once it has no waiting or running jobs (ADR 005).",
  );
  return mismatch;
}

type Attempt = {
  /** How the attempt ended, as pg-boss settles it. */
  result: Promise<JobResult>;
  /** The handler itself, which may still be running after our timeout. */
  running: Promise<unknown>;
};

/**
 * Runs one attempt. The handler's signal aborts at our timeout and when pg-boss gives up on the
 * attempt (shutdown after the grace, a claim lost to expiry). A payload that fails validation fails
 * for good: it would fail the same way on every retry.
 */
function runOne(definition: JobDefinition, job: JobWithMetadata<unknown>): Attempt {
  const started = performance.now();
  const where = { id: job.id, queue: definition.name, attempt: job.retryCount + 1 };
  const parsed = definition.payload.safeParse(job.data ?? {});
  if (!parsed.success) {
    observeJobRun(definition.name, "invalid");
    const message = `invalid payload: ${z.prettifyError(parsed.error)}`.slice(0, 2000);
    log.warn({ job: where }, `job failed without retries: ${message}`);
    const result: JobResult = { id: job.id, status: "deadletter", output: { message, name: "JobPayloadError" } };
    return { result: Promise.resolve(result), running: Promise.resolve() };
  }
  const timeout = new AbortController();
  const signal = AbortSignal.any([timeout.signal, job.signal]);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(definition.timeoutSeconds);
      timeout.abort(error);
      reject(error);
    }, definition.timeoutSeconds * 1000);
  });
  const running = Promise.resolve().then(() =>
    definition.handler(parsed.data, { id: job.id, attempt: where.attempt, signal }),
  );
  const result = Promise.race([running, timedOut])
    .then(
      (): JobResult => {
        observeJobRun(definition.name, "completed", (performance.now() - started) / 1000);
        return { id: job.id, status: "completed" };
      },
      (error: unknown): JobResult => {
        // Any error of a handler fails this attempt: pg-boss retries it or marks it failed.
        const failure = error instanceof Error ? error : new Error(String(error));
        const timedOutHere = failure instanceof JobTimeoutError;
        observeJobRun(definition.name, timedOutHere ? "timeout" : "error", (performance.now() - started) / 1000);
        log.warn({ err: failure, job: where }, "job failed");
        // Reported once, when no retry is left: an attempt that a retry then fixes is not a fault to chase
        // (and a database or model-provider outage is never one: reportFailure leaves those out).
        if (job.retryCount >= job.retryLimit) {
          reportFailure(failure, {
            source: "job",
            tags: { job_queue: definition.name, job_id: job.id, job_attempt: where.attempt },
          });
        }
        return {
          id: job.id,
          status: "failed",
          output: { message: failure.message.slice(0, 2000), name: failure.name },
        };
      },
    )
    .finally(() => clearTimeout(timer));
  return { result, running };
}

class JobTimeoutError extends Error {
  constructor(seconds: number) {
    super(`timed out after ${seconds} s`);
    this.name = "JobTimeoutError";
  }
}

/**
 * One job of a fetched batch: run it, then settle it at once, so a job that finished is never failed
 * along with a slower one of its batch (by pg-boss's batch timeout or by a shutdown after the grace).
 * Settling is fenced to this attempt: pg-boss's own settle of the batch afterwards leaves it alone.
 */
async function workOne(boss: PgBoss, definition: JobDefinition, job: JobWithMetadata<unknown>): Promise<JobResult> {
  const attempt = runOne(definition, job);
  const result = await attempt.result;
  const fenced = { id: job.id, retryCount: job.retryCount };
  try {
    if (result.status === "completed") await boss.complete(definition.name, fenced);
    else if (result.status === "failed") await boss.fail(definition.name, fenced, result.output as object);
    // deadletter (fails without retries) has no single-job call in pg-boss: it settles with the batch.
  } catch (error) {
    // The database is unreachable, or pg-boss stopped: pg-boss settles the batch with these results when
    // the handler returns, or the attempt expires and is retried.
    log.warn({ err: error, job: { id: job.id, queue: definition.name } }, "job could not be settled yet");
  }
  // A handler still running after our timeout has had its signal aborted. Until it returns this worker
  // fetches nothing more, so the retry of this job never runs beside it in this process.
  await attempt.running.catch(() => undefined);
  return result;
}

/** Starts the queue (installing or upgrading its schema) and, unless `work: false`, the workers and schedules. */
export async function startJobs(options: StartJobsOptions): Promise<void> {
  if (globalForJobs.__aresJobs) return;
  const { jobs } = config();
  const boss = createBoss(options.tuning);
  boss.on("error", (error) => log.error({ err: error }, "job queue error"));
  boss.on("warning", (warning) => log.warn({ warning }, "job queue warning"));
  await boss.start();
  const definitions = new Map(options.jobs.map((definition) => [definition.name, definition]));
  const state: JobsState = {
    boss,
    definitions,
    startedAt: new Date(),
    stopping: false,
    working: options.work !== false,
    policyMismatches: [],
  };
  globalForJobs.__aresJobs = state;
  try {
    for (const definition of options.jobs) {
      const existing = await boss.getQueue(definition.name);
      if (existing) {
        await boss.updateQueue(definition.name, queueOptions(definition));
        const mismatch = checkQueuePolicy(definition, existing.policy);
        if (mismatch) state.policyMismatches.push(mismatch);
      } else await boss.createQueue(definition.name, { ...queueOptions(definition), policy: queuePolicy(definition) });
    }
    setJobQueueDepthProvider(() => queueCounts(pool()));
    if (options.work === false) return;
    for (const definition of options.jobs) {
      await boss.work(
        definition.name,
        {
          pollingIntervalSeconds: jobs.pollIntervalMs / 1000,
          batchSize: jobs.batchSize,
          burstWhenBatchFull: true,
          includeMetadata: true,
          // Each job is settled as it finishes (workOne); these results are pg-boss's backstop, and
          // the only way to fail a job without retries (deadletter).
          perJobResults: true,
        },
        async (batch) => Promise.all(batch.map((job) => workOne(boss, definition, job))),
      );
    }
    for (const schedule of options.schedules ?? []) {
      const payload = schedule.job.payload.parse(schedule.payload) as object;
      await boss.schedule(schedule.job.name, schedule.cron, payload, {
        tz: jobs.timeZone,
        // A run that came due while ARES was down is sent once when it is back, not once per missed slot.
        missed: "once",
        // The dedup key of a job sent by hand: on a stately queue a scheduled run and a manual one are
        // the same job, so at most one of them waits (and one retries) at a time.
        singletonKey: schedule.job.singletonKey?.(payload),
      });
    }
  } catch (error) {
    // Half-started: release pg-boss so the next attempt starts from scratch.
    globalForJobs.__aresJobs = undefined;
    await boss.stop({ graceful: false, close: true });
    throw error;
  }
  log.info({ queues: [...definitions.keys()], pollIntervalMs: jobs.pollIntervalMs }, "job worker started");
}

/**
 * Stops fetching, lets running handlers finish within `graceMs`, then releases pg-boss's connections.
 * A handler still running after that is abandoned: its job expires and is retried.
 */
export async function stopJobs(graceMs: number): Promise<void> {
  const state = globalForJobs.__aresJobs;
  if (!state || state.stopping) return;
  state.stopping = true;
  setJobQueueDepthProvider(undefined);
  await state.boss.stop({ graceful: true, timeout: Math.max(graceMs, 1), close: true });
  globalForJobs.__aresJobs = undefined;
  log.info("job worker stopped");
}

function running(): JobsState {
  const state = globalForJobs.__aresJobs;
  if (!state || state.stopping) throw new JobsNotRunningError();
  return state;
}

export class JobsNotRunningError extends Error {
  constructor() {
    super("The job queue is not running.");
    this.name = "JobsNotRunningError";
  }
}

export type SendJobOptions = {
  /** Run no earlier than this instant. */
  startAfter?: Date;
  /** Send inside this Prisma transaction: the job exists only if the transaction commits. */
  tx?: Prisma.TransactionClient;
};

/** Queues a job after validating its payload; null when an identical singleton is already queued. */
export async function sendJob<Definition extends JobDefinition>(
  definition: Definition,
  payload: Parameters<Definition["handler"]>[0],
  options: SendJobOptions = {},
): Promise<string | null> {
  const { boss } = running();
  const data = definition.payload.parse(payload) as object;
  return boss.send(definition.name, data, {
    startAfter: options.startAfter,
    singletonKey: definition.singletonKey?.(data),
    db: options.tx ? fromPrisma(options.tx) : undefined,
  });
}

export type WorkerStatus = {
  /** disabled: JOBS_WORKER=false, this process sends jobs but another one works them. */
  state: "running" | "stopped" | "disabled";
  lastPollAt: string | null;
};

/** Whether this process works jobs, and when its workers last asked the database for one. */
export function workerStatus(): WorkerStatus {
  const state = globalForJobs.__aresJobs;
  if (!state || state.stopping) return { state: "stopped", lastPollAt: null };
  if (!state.working) return { state: "disabled", lastPollAt: null };
  const polls = state.boss
    .getWipData()
    .map((worker) => worker.lastFetchedOn)
    .filter((value): value is number => typeof value === "number");
  return {
    state: "running",
    lastPollAt: polls.length > 0 ? new Date(Math.max(...polls)).toISOString() : null,
  };
}

/** Queues that kept a policy their job type no longer asks for (found at start, see checkQueuePolicy). */
export function queuePolicyMismatches(): QueuePolicyMismatch[] {
  return globalForJobs.__aresJobs?.policyMismatches ?? [];
}

export type RetryResult = "retried" | "not-failed" | "already-waiting";

// PostgreSQL's unique_violation: a stately queue's index refused a second job in the same state and key.
const UNIQUE_VIOLATION = "23505";

/**
 * Puts a failed job back in the queue. not-failed: there is no such failed job. already-waiting: its
 * queue has a dedup key and another run with that key is already waiting to retry; pg-boss's unique
 * index allows one, so this one can be retried once that run has finished.
 */
export async function retryJob(queue: string, id: string): Promise<RetryResult> {
  const { boss, definitions } = running();
  if (!definitions.has(queue)) return "not-failed";
  try {
    return affected(await boss.retry(queue, id)) ? "retried" : "not-failed";
  } catch (error) {
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return "already-waiting";
    throw error;
  }
}

/** Cancels a queued, retrying or active job; false when it has already finished or does not exist. */
export async function cancelJob(queue: string, id: string): Promise<boolean> {
  const { boss, definitions } = running();
  if (!definitions.has(queue)) return false;
  return affected(await boss.cancel(queue, id));
}

// pg-boss's declared CommandResponse is empty; at run time it carries how many jobs were changed.
function affected(response: object): boolean {
  return ((response as { affected?: number }).affected ?? 0) > 0;
}
