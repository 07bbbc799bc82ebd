import pg from "pg";
import { parse } from "pg-connection-string";

/** The PostgreSQL server tests may use: TEST_DATABASE_URL, else the local server on 127.0.0.1:5432. */
export const serverUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function serverIsReachable(url = serverUrl): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_500 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    if (error instanceof Error && /ECONNREFUSED|timeout|ENOTFOUND|does not exist|authentication/i.test(error.message)) {
      return false;
    }
    throw error;
  }
}

/** Runs statements on the server's maintenance database (CREATE/DROP DATABASE cannot run in a transaction). */
export async function onServer<T>(run: (client: pg.Client) => Promise<T>, url = serverUrl): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export function databaseName(url: string): string {
  return parse(url).database ?? "postgres";
}

/**
 * Resolves once another session of this database (or `sessions` of them) waits for a row lock held by
 * `holder` (a test's own transaction), so a test knows the requests it started have reached that lock:
 * no sleep to guess it. A session waiting for one that waits for `holder` counts too (an insert that
 * waits for another's uncommitted entry in a unique index).
 */
export async function untilBlockedBy(holder: pg.Client, timeoutMs = 20_000, sessions = 1): Promise<void> {
  const { rows } = await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const pid = rows[0]!.pid;
  const deadline = Date.now() + timeoutMs;
  // One polling connection, outside the holder's transaction (its view of pg_stat_activity is not
  // frozen), opened once: a new connection per poll can take longer than deadlock_timeout on busy cores.
  const poller = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await poller.connect();
  try {
    for (;;) {
      // Each query is its own transaction, so each sees the sessions' current waits.
      const waiting = await poller.query<{ count: string }>(
        `WITH RECURSIVE waiting(pid) AS (
           SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))
            UNION
           SELECT activity.pid FROM pg_stat_activity activity, waiting
            WHERE waiting.pid = ANY(pg_blocking_pids(activity.pid))
         )
         SELECT count(*) AS count FROM waiting`,
        [pid],
      );
      if (Number(waiting.rows[0]!.count) >= sessions) return;
      if (Date.now() > deadline) throw new Error("nothing came to wait for the lock");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await poller.end();
  }
}

/**
 * A revocation (revokeSignIns) caught before it commits, in a transaction of its own: it has taken the
 * account's row (its credential generation incremented), as a revocation does first. `run` starts what
 * must wait for it, goes on with the rest of the revocation on `revocation` and commits it; the connection
 * ends after `run` whatever happens (rolling back what was not committed).
 */
export async function whileRevocationHoldsAccount<T>(
  userId: string,
  run: (revocation: pg.Client) => Promise<T>,
): Promise<T> {
  const revocation = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await revocation.connect();
  try {
    await revocation.query("BEGIN");
    await revocation.query(`UPDATE "User" SET "credentialGeneration" = "credentialGeneration" + 1 WHERE id = $1`, [
      userId,
    ]);
    return await run(revocation);
  } finally {
    await revocation.end();
  }
}
