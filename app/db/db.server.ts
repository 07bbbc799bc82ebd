import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { config } from "~/config/env.server";
import { PrismaClient } from "~/generated/prisma/client";
import { logger } from "~/observability/logger.server";
import { describeError } from "./availability.server";
import { connectionName } from "./connection-name.server";

/**
 * server.ts (run by tsx) and the Remix server bundle each load their own copy of this module, and so
 * of the generated PrismaClient class. Both must share ONE pool — the embedded database accepts a
 * single connection — so the pool lives on globalThis and each class gets a client over it.
 */
type DbState = { pool: pg.Pool; clients: Map<typeof PrismaClient, PrismaClient> };

const globalForDb = globalThis as typeof globalThis & { __aresDb?: DbState };

function createPool(): pg.Pool {
  const { databaseUrl, dbPoolMax, dbStatementTimeoutMs } = config();
  const url = databaseUrl ?? process.env.DATABASE_URL;
  if (!url) throw new Error("The database is not started: server.ts must start it before the app is loaded.");
  const pool = new pg.Pool({
    connectionString: url,
    max: process.env.ARES_EMBEDDED_DB === "1" ? 1 : dbPoolMax,
    // A request waits this long for a connection (or for an unreachable server) and then gets a 503,
    // instead of hanging until the client gives up.
    connectionTimeoutMillis: 5_000,
    statement_timeout: dbStatementTimeoutMs || undefined,
    // Names ARES's connections in pg_stat_activity (db:restore refuses while they exist); one stays
    // open while idle so that a running ARES is always visible there.
    application_name: connectionName(),
    min: 1,
  });
  // An idle connection that the server closes (restart, failover, `pg_ctl stop`) is reported here, not
  // to any query. Without a listener that is an uncaught exception; the pool already drops the client
  // and opens a fresh one for the next query, so this is only worth one line.
  pool.on("error", (error) => logger.warn({ err: { message: describeError(error) } }, "database connection lost"));
  return pool;
}

function state(): DbState {
  globalForDb.__aresDb ??= { pool: createPool(), clients: new Map() };
  return globalForDb.__aresDb;
}

/** The shared node-postgres pool, for the few hot-path statements sent without Prisma (sql.server.ts). */
export function pool(): pg.Pool {
  return state().pool;
}

function client(): PrismaClient {
  const current = state();
  let existing = current.clients.get(PrismaClient);
  if (!existing) {
    // The adapter does not close a pool it was given: closeDb does.
    existing = new PrismaClient({ adapter: new PrismaPg(current.pool) });
    current.clients.set(PrismaClient, existing);
  }
  return existing;
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
  const state = globalForDb.__aresDb;
  if (!state) return;
  globalForDb.__aresDb = undefined;
  for (const each of state.clients.values()) await each.$disconnect();
  await state.pool.end();
}
