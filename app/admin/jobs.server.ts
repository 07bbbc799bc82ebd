import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { pool } from "~/db/db.server";
import { cancelJob, JobsNotRunningError, queuePolicyMismatches, retryJob, workerStatus } from "~/jobs/queue.server";
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
  return { queues: [...queues.values()], failed, worker: workerStatus(), policyMismatches: queuePolicyMismatches() };
}

export type JobChangeResult = { ok: true } | { ok: false; message: string };

type Outcome = "done" | "not-running" | "not-found" | "already-waiting";

const MESSAGES: Record<"retry" | "cancel", Record<Exclude<Outcome, "done">, string>> = {
  retry: {
    "not-running": "The job queue is not running in this process; try again in a moment.",
    "not-found": "That job cannot be retried: it is no longer failed, or it no longer exists.",
    "already-waiting": "A run of this job is already waiting to retry; retry this one after that run finishes.",
  },
  cancel: {
    "not-running": "The job queue is not running in this process; try again in a moment.",
    "not-found": "That job cannot be cancelled: it has already finished, or it no longer exists.",
    "already-waiting": "That job cannot be cancelled.",
  },
};

async function attempt(intent: "retry" | "cancel", queue: string, jobId: string): Promise<Outcome> {
  try {
    if (intent === "cancel") return (await cancelJob(queue, jobId)) ? "done" : "not-found";
    const result = await retryJob(queue, jobId);
    return result === "retried" ? "done" : result === "not-failed" ? "not-found" : "already-waiting";
  } catch (error) {
    if (error instanceof JobsNotRunningError) return "not-running";
    throw error;
  }
}

/** Retries or cancels one job on an admin's request; every attempt is audit-logged, failed ones too. */
export async function changeJob(
  intent: "retry" | "cancel",
  queue: string,
  jobId: string,
  origin: AuditOrigin,
): Promise<JobChangeResult> {
  const audit = (outcome: "success" | "failure", reason?: string) =>
    recordAudit(origin, {
      action: intent === "retry" ? "job.retry" : "job.cancel",
      outcome,
      target: { type: "job", id: jobId },
      details: reason ? { queue, reason } : { queue },
    });
  let outcome: Outcome;
  try {
    outcome = await attempt(intent, queue, jobId);
  } catch (error) {
    // Not one we can explain to the operator: it stays a server error, but the attempt is on record.
    await audit("failure", "error");
    throw error;
  }
  await audit(outcome === "done" ? "success" : "failure", outcome === "done" ? undefined : outcome);
  return outcome === "done" ? { ok: true } : { ok: false, message: MESSAGES[intent][outcome] };
}
