import { fromPrisma, PgBoss, type ConstructorOptions, type Db, type JobWithMetadata } from "pg-boss";
import type pg from "pg";
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

function queueOptions(definition: JobDefinition) {
  return {
    retryLimit: definition.retry.limit,
    retryDelay: definition.retry.delaySeconds,
    retryBackoff: true,
    retryDelayMax: definition.retry.maxDelaySeconds,
    // A worker killed mid-job leaves it active: pg-boss retries it once this has passed.
    expireInSeconds: definition.timeoutSeconds,
    notify: config().jobs.listenNotify,
  };
}

/** A job type with a dedup key gets at most one queued, one retrying and one running job per key. */
function queuePolicy(definition: JobDefinition): "stately" | "standard" {
  return definition.singletonKey ? "stately" : "standard";
}

type Outcome = { status: "completed" } | { status: "failed"; output: { message: string; name: string } };

async function runOne(definition: JobDefinition, job: JobWithMetadata<unknown>): Promise<Outcome> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new JobTimeoutError(definition.timeoutSeconds));
    }, definition.timeoutSeconds * 1000);
  });
  try {
    const payload = definition.payload.parse(job.data ?? {});
    await Promise.race([
      definition.handler(payload, { id: job.id, attempt: job.retryCount + 1, signal: controller.signal }),
      timeout,
    ]);
    observeJobRun(definition.name, "completed", (performance.now() - started) / 1000);
    return { status: "completed" };
  } catch (error) {
    // Any error of a handler fails this attempt: pg-boss retries it or marks it failed.
    const failure = error instanceof Error ? error : new Error(String(error));
    observeJobRun(
      definition.name,
      failure instanceof JobTimeoutError ? "timeout" : "error",
      (performance.now() - started) / 1000,
    );
    log.warn({ err: failure, job: { id: job.id, queue: definition.name, attempt: job.retryCount + 1 } }, "job failed");
    // Reported once, when no retry is left: an attempt that a retry then fixes is not a fault to chase.
    if (job.retryCount >= job.retryLimit) {
      reportFailure(failure, {
        source: "job",
        tags: { job_queue: definition.name, job_id: job.id, job_attempt: job.retryCount + 1 },
      });
    }
    return { status: "failed", output: { message: failure.message.slice(0, 2000), name: failure.name } };
  } finally {
    clearTimeout(timer);
  }
}

class JobTimeoutError extends Error {
  constructor(seconds: number) {
    super(`timed out after ${seconds} s`);
    this.name = "JobTimeoutError";
  }
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
  globalForJobs.__aresJobs = { boss, definitions, startedAt: new Date(), stopping: false };
  try {
    for (const definition of options.jobs) {
      const existing = await boss.getQueue(definition.name);
      if (existing) await boss.updateQueue(definition.name, queueOptions(definition));
      else await boss.createQueue(definition.name, { ...queueOptions(definition), policy: queuePolicy(definition) });
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
          perJobResults: true,
        },
        async (batch) =>
          Promise.all(
            batch.map(async (job) => {
              const outcome = await runOne(definition, job);
              return outcome.status === "completed"
                ? { id: job.id, status: "completed" as const }
                : { id: job.id, status: "failed" as const, output: outcome.output };
            }),
          ),
      );
    }
    for (const schedule of options.schedules ?? []) {
      await boss.schedule(schedule.job.name, schedule.cron, schedule.payload as object, {
        tz: jobs.timeZone,
        // A run that came due while ARES was down is sent once when it is back, not once per missed slot.
        missed: "once",
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

export type WorkerStatus = { state: "running" | "stopped"; lastPollAt: string | null };

/** Whether this process works jobs, and when its workers last asked the database for one. */
export function workerStatus(): WorkerStatus {
  const state = globalForJobs.__aresJobs;
  if (!state || state.stopping) return { state: "stopped", lastPollAt: null };
  const polls = state.boss
    .getWipData()
    .map((worker) => worker.lastFetchedOn)
    .filter((value): value is number => typeof value === "number");
  return {
    state: "running",
    lastPollAt: polls.length > 0 ? new Date(Math.max(...polls)).toISOString() : null,
  };
}

/** Puts a failed job back in the queue; false when there is no such job in a state that can be retried. */
export async function retryJob(queue: string, id: string): Promise<boolean> {
  const { boss, definitions } = running();
  if (!definitions.has(queue)) return false;
  return affected(await boss.retry(queue, id));
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
