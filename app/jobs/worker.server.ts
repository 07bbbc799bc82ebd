import { config } from "~/config/env.server";
import { logger } from "~/observability/logger.server";
import { JOBS, SCHEDULES, STARTUP_JOBS } from "./registry.server";
import { sendJob, startJobs, stopJobs } from "./queue.server";

const RETRY_START_MS = 10_000;
const state: { starting?: Promise<void>; retry?: NodeJS.Timeout; stopped: boolean } = { stopped: false };

async function attemptStart(): Promise<void> {
  try {
    await startJobs({ jobs: JOBS, schedules: SCHEDULES, work: config().jobs.worker });
    // Data backfills that SQL cannot do: sent at each start, they skip work already done (startup.server.ts).
    for (const { job, startPayload } of STARTUP_JOBS) await sendJob(job, startPayload);
  } catch (error) {
    // Whatever kept the queue from starting (most often the database being down), ARES keeps serving:
    // readiness reports the database, and the queue is tried again until it starts.
    if (state.stopped) return;
    logger.error({ err: error }, `background jobs could not start; trying again in ${RETRY_START_MS / 1000} s`);
    state.retry = setTimeout(() => {
      state.starting = attemptStart();
    }, RETRY_START_MS);
    state.retry.unref();
  }
}

/**
 * Starts the job queue, its workers and schedules, called by server.ts once migrations are applied.
 * It does not hold up the HTTP server: pg-boss installs or upgrades its schema in the background.
 */
export function startBackgroundJobs(): void {
  state.stopped = false;
  state.starting = attemptStart();
}

/** Stops fetching at once, lets running jobs finish within `graceMs`; call before closing the database. */
export async function stopBackgroundJobs(graceMs: number): Promise<void> {
  state.stopped = true;
  clearTimeout(state.retry);
  await state.starting;
  await stopJobs(graceMs);
}
