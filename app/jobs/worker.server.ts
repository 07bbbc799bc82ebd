import { config } from "~/config/env.server";
import { JOBS, SCHEDULES } from "./registry.server";
import { startJobs, stopJobs } from "./queue.server";

/** The start/stop pair server.ts calls: after migrations, and before the database closes. */
export async function startBackgroundJobs(): Promise<void> {
  await startJobs({ jobs: JOBS, schedules: SCHEDULES, work: config().jobs.worker });
}

export async function stopBackgroundJobs(graceMs: number): Promise<void> {
  await stopJobs(graceMs);
}
