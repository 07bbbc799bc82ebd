import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { config } from "~/config/env.server";
import { PrismaClient } from "~/generated/prisma/client";
import { remember } from "@epic-web/remember";
import { logger } from "~/observability/logger.server";
import { describeError } from "./availability.server";
import { connectionName } from "./connection-name.server";

/**
 * One pool and one Prisma client per process, created on first use (after server.ts has started the
 * database). `remember` keeps them across the module re-evaluations of `npm run dev`'s hot reload.
 */
type DbState = { pool: pg.Pool; client: PrismaClient };

const db = remember("ares-db", () => ({ current: undefined as DbState | undefined }));

function createPool(): pg.Pool {
  const { databaseUrl, dbPoolMax, dbStatementTimeoutMs } = config();
  const embedded = process.env.ARES_EMBEDDED_DB === "1";
  const url = databaseUrl ?? process.env.DATABASE_URL;
  if (!url) throw new Error("The database is not started: server.ts must start it before the app is loaded.");
  const pool = new pg.Pool({
    connectionString: url,
    max: embedded ? 1 : dbPoolMax,
    // A request waits this long for a connection (or for an unreachable server) and then gets a 503,
    // instead of hanging until the client gives up.
    connectionTimeoutMillis: 5_000,
    statement_timeout: dbStatementTimeoutMs || undefined,
    // Names ARES's connections in pg_stat_activity (db:restore refuses while they exist); one stays
    // open while idle so that a running ARES is always visible there.
    application_name: connectionName(),
    min: 1,
    // PGlite serves every connection from one session, so a new connection (pg-pool replaces one whose
    // query failed) would find the statements its predecessor prepared while node-postgres prepares them
    // afresh: "prepared statement already exists" on every hot-path statement from then on. PGlite also
    // ignores the startup packet's settings, statement_timeout among them. The pool hands the connection
    // out only once this has run (and drops it if it fails).
    onConnect: embedded
      ? async (client: pg.ClientBase) => {
          await client.query("DEALLOCATE ALL");
          if (dbStatementTimeoutMs) await client.query(`SET statement_timeout = ${Number(dbStatementTimeoutMs)}`);
        }
      : undefined,
  });
  // An idle connection that the server closes (restart, failover, `pg_ctl stop`) is reported here, not
  // to any query. Without a listener that is an uncaught exception; the pool already drops the client
  // and opens a fresh one for the next query, so this is only worth one line.
  pool.on("error", (error) => logger.warn({ err: { message: describeError(error) } }, "database connection lost"));
  return pool;
}

function state(): DbState {
  if (!db.current) {
    const pool = createPool();
    // The adapter does not close a pool it was given: closeDb does.
    db.current = { pool, client: new PrismaClient({ adapter: new PrismaPg(pool) }) };
  }
  return db.current;
}

/** The shared node-postgres pool, for the few hot-path statements sent without Prisma (sql.server.ts). */
export function pool(): pg.Pool {
  return state().pool;
}

function client(): PrismaClient {
  return state().client;
}

/** The Prisma client. Inside `$transaction(async tx => …)` use only `tx` (one connection on PGlite). */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const current = client();
    const value = Reflect.get(current, property, current) as unknown;
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(current) : value;
  },
});

export async function closeDb(): Promise<void> {
  const current = db.current;
  db.current = undefined;
  if (!current) return;
  await current.client.$disconnect();
  await current.pool.end();
}
