import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { config } from "~/config/env.server";
import { PrismaClient } from "~/generated/prisma/client";

type DbHandle = { client: PrismaClient; pool: pg.Pool; klass: typeof PrismaClient };

const globalForDb = globalThis as typeof globalThis & { __aresDb?: DbHandle };

function createDb(): DbHandle {
  const { databaseUrl, dbPoolMax, dbStatementTimeoutMs } = config();
  const url = databaseUrl ?? process.env.DATABASE_URL;
  if (!url) throw new Error("The database is not started: server.ts must start it before the app is loaded.");
  const pool = new pg.Pool({
    connectionString: url,
    max: process.env.ARES_EMBEDDED_DB === "1" ? 1 : dbPoolMax,
    statement_timeout: dbStatementTimeoutMs || undefined,
  });
  // The adapter does not close a pool it was given, so shutdown closes it (closeDb).
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { client, pool, klass: PrismaClient };
}

function handle(): DbHandle {
  // Keyed on the class so that a regenerated client (dev HMR after `prisma generate`) is picked up.
  if (globalForDb.__aresDb?.klass !== PrismaClient) globalForDb.__aresDb = createDb();
  return globalForDb.__aresDb;
}

/** The Prisma client. Inside `$transaction(async tx => …)` use only `tx` (one connection on PGlite). */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = handle().client;
    const value = Reflect.get(client, property, client) as unknown;
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(client) : value;
  },
});

export async function closeDb(): Promise<void> {
  const current = globalForDb.__aresDb;
  if (!current) return;
  globalForDb.__aresDb = undefined;
  await current.client.$disconnect();
  await current.pool.end();
}
