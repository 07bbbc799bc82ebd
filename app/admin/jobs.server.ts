import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { pool } from "~/db/db.server";
import { cancelJob, JobsNotRunningError, retryJob, workerStatus } from "~/jobs/queue.server";
import { QUEUE_STATES, type QueueState } from "~/jobs/states";
import { failedJobs, queueCounts } from "~/jobs/stats.server";

export type QueueSummary = { queue: string; counts: Record<QueueState, number> };

/** Every queue with its job counts by state, the latest failed jobs and the worker's last poll. */
export async function jobsOverview() {
  const [counts, failed] = await Promise.all([queueCounts(pool()), failedJobs(pool(), 50)]);
  const queues = new Map<string, QueueSummary>();
  for (const { queue, state, count } of counts) {
    let summary = queues.get(queue);
    if (!summary) {
      summary = {
        queue,
        counts: Object.fromEntries(QUEUE_STATES.map((each) => [each, 0])) as Record<QueueState, number>,
      };
      queues.set(queue, summary);
    }
    summary.counts[state] = count;
  }
  return { queues: [...queues.values()], failed, worker: workerStatus() };
}

export type JobChangeResult = { ok: true } | { ok: false; message: string };

/** Retries or cancels one job on an admin's request; every attempt is audit-logged. */
export async function changeJob(
  intent: "retry" | "cancel",
  queue: string,
  jobId: string,
  origin: AuditOrigin,
): Promise<JobChangeResult> {
  let changed: boolean;
  try {
    changed = intent === "retry" ? await retryJob(queue, jobId) : await cancelJob(queue, jobId);
  } catch (error) {
    if (!(error instanceof JobsNotRunningError)) throw error;
    return { ok: false, message: "The job queue is not running in this process; try again in a moment." };
  }
  await recordAudit(origin, {
    action: intent === "retry" ? "job.retry" : "job.cancel",
    outcome: changed ? "success" : "failure",
    target: { type: "job", id: jobId },
    details: { queue },
  });
  if (changed) return { ok: true };
  return {
    ok: false,
    message:
      intent === "retry"
        ? "That job cannot be retried: it is no longer failed, or it no longer exists."
        : "That job cannot be cancelled: it has already finished, or it no longer exists.",
  };
}
