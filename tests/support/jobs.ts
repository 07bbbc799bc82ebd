import { randomUUID } from "node:crypto";
import pg from "pg";
import { PgBoss } from "pg-boss";

/** ARES starts its queue in the background: waits until it has created `queue`. */
export async function queueExists(databaseUrl: string, queue: string, timeoutMs = 60_000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ found: boolean }>(
        "SELECT to_regclass('pgboss.queue') IS NOT NULL AS found",
      );
      if (rows[0]?.found) {
        const queues = await client.query("SELECT 1 FROM pgboss.queue WHERE name = $1", [queue]);
        if (queues.rowCount) return;
      }
      if (Date.now() > deadline) throw new Error(`ARES never created the job queue ${queue}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await client.end();
  }
}

/**
 * Plays a worker elsewhere that took a job of `queue` and failed it for good: a real job of that queue,
 * in pg-boss's failed state with the given error, as /admin/jobs shows a failure. It is taken before
 * its due time, so the ARES under test cannot pick it up first. PostgreSQL only (a second connection).
 */
export async function failJobElsewhere(
  databaseUrl: string,
  queue: string,
  message: string,
  options: {
    retryLaterInstead?: boolean;
    /** The job's dedup key; null sends it without one. By default a key of its own. */
    singletonKey?: string | null;
  } = {},
): Promise<string> {
  await queueExists(databaseUrl, queue);
  const boss = new PgBoss({ connectionString: databaseUrl, max: 1, supervise: false, schedule: false, migrate: false });
  await boss.start();
  try {
    const id = await boss.send(
      queue,
      {},
      {
        startAfter: new Date(Date.now() + 60 * 60 * 1000),
        // retryLaterInstead: one retry an hour away, so the job sits in the retry state.
        retryLimit: options.retryLaterInstead ? 1 : 0,
        retryDelay: 3600,
        // Its own dedup key by default, so it never collides with the queue's scheduled job or a parallel test's.
        singletonKey:
          options.singletonKey === undefined ? `elsewhere-${randomUUID()}` : (options.singletonKey ?? undefined),
      },
    );
    if (!id) throw new Error(`pg-boss refused a job on ${queue}`);
    const [job] = await boss.fetch(queue, { ignoreStartAfter: true });
    if (job?.id !== id) throw new Error(`fetched ${job?.id ?? "nothing"} instead of ${id}`);
    await boss.fail(queue, id, { message });
    if (!options.retryLaterInstead) {
      // It was taken early only to win the race; as a job that failed when due, Retry runs it at once.
      await boss
        .getDb()
        .executeSql("UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND id = $2", [queue, id]);
    }
    return id;
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
}

/**
 * Sends one job as another ARES process would (its own pg-boss client on the same database), e.g. a
 * second process that also saw a conversation go idle. Null when the queue's dedup key refused it.
 */
export async function sendJobElsewhere(
  databaseUrl: string,
  queue: string,
  data: object,
  singletonKey?: string,
): Promise<string | null> {
  await queueExists(databaseUrl, queue);
  const boss = new PgBoss({ connectionString: databaseUrl, max: 1, supervise: false, schedule: false, migrate: false });
  await boss.start();
  try {
    return await boss.send(queue, data, { singletonKey });
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
}
