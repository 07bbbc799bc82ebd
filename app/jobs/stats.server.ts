import type pg from "pg";
import { QUEUE_STATES, type QueueState } from "./states";
export type QueueCount = { queue: string; state: QueueState; count: number };

type Queryable = Pick<pg.Pool, "query">;

/**
 * Jobs per queue and state, read straight from pg-boss's tables: one indexed aggregate, cheap enough
 * for every Prometheus scrape and every /admin/jobs view. Queues with no jobs report zeros.
 */
export async function queueCounts(db: Queryable): Promise<QueueCount[]> {
  const { rows } = await db.query<{ queue: string; state: string; count: string }>(
    `SELECT q.name AS queue, s.state, COALESCE(c.count, 0) AS count
       FROM pgboss.queue q
       CROSS JOIN unnest($1::text[]) AS s(state)
       LEFT JOIN (
         SELECT name, state::text AS state, count(*) AS count
           FROM pgboss.job
          WHERE state IN ('created', 'retry', 'active', 'failed')
             OR (state = 'completed' AND completed_on > now() - interval '24 hours')
          GROUP BY name, state
       ) c ON c.name = q.name AND c.state = s.state
      ORDER BY q.name`,
    [QUEUE_STATES],
  );
  return rows.map((row) => ({ queue: row.queue, state: row.state as QueueState, count: Number(row.count) }));
}

export type FailedJob = {
  id: string;
  queue: string;
  /** failed: out of attempts (can be retried); retry: waiting for its next attempt (can be cancelled). */
  state: "failed" | "retry";
  attempts: number;
  error: string;
  failedAt: string | null;
};

/** Jobs whose last attempt failed, out of attempts or waiting to retry, most recent first. */
export async function failedJobs(db: Queryable, limit = 50): Promise<FailedJob[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    state: "failed" | "retry";
    retry_count: number;
    output: { message?: unknown } | null;
    completed_on: Date | null;
  }>(
    `SELECT id, name, state::text AS state, retry_count, output, COALESCE(completed_on, started_on) AS completed_on
       FROM pgboss.job WHERE state IN ('failed', 'retry') AND output IS NOT NULL
      ORDER BY COALESCE(completed_on, started_on) DESC NULLS LAST LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({
    id: row.id,
    queue: row.name,
    state: row.state,
    attempts: row.retry_count + 1,
    error: typeof row.output?.message === "string" ? row.output.message : JSON.stringify(row.output ?? null),
    failedAt: row.completed_on?.toISOString() ?? null,
  }));
}
