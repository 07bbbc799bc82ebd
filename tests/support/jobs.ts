import { randomUUID } from "node:crypto";
import { PgBoss } from "pg-boss";

/**
 * Plays a worker elsewhere that took a job of `queue` and failed it for good: a real job of that queue,
 * in pg-boss's failed state with the given error, as /admin/jobs shows a failure. It is taken before
 * its due time, so the ARES under test cannot pick it up first. PostgreSQL only (a second connection).
 */
export async function failJobElsewhere(
  databaseUrl: string,
  queue: string,
  message: string,
  options: { retryLaterInstead?: boolean } = {},
): Promise<string> {
  const boss = new PgBoss({ connectionString: databaseUrl, max: 1, supervise: false, schedule: false, migrate: false });
  await boss.start();
  try {
    const id = await boss.send(queue, {}, {
      startAfter: new Date(Date.now() + 60 * 60 * 1000),
      // retryLaterInstead: one retry an hour away, so the job sits in the retry state.
      retryLimit: options.retryLaterInstead ? 1 : 0,
      retryDelay: 3600,
      // Its own dedup key, so it never collides with the queue's scheduled job or a parallel test's.
      singletonKey: `elsewhere-${randomUUID()}`,
    });
    if (!id) throw new Error(`pg-boss refused a job on ${queue}`);
    const [job] = await boss.fetch(queue, { ignoreStartAfter: true });
    if (job?.id !== id) throw new Error(`fetched ${job?.id ?? "nothing"} instead of ${id}`);
    await boss.fail(queue, id, { message });
    if (!options.retryLaterInstead) {
      // It was taken early only to win the race; as a job that failed when due, Retry runs it at once.
      await boss.getDb().executeSql("UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND id = $2", [queue, id]);
    }
    return id;
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
}
