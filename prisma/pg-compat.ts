/**
 * Driver adapter for the Prisma CLI (migrate/diff/status) only — the app itself uses a plain PrismaPg.
 *
 * Prisma 6.19's WASM schema engine talks through @prisma/adapter-pg, which has three defects that
 * break offline migrations (see docs/decisions/001-prisma-6-wasm-engine.md):
 *  1. pg_catalog columns of type `name` (OID 19) and `"char"` (OID 18) cannot be deserialized
 *     (prisma/prisma#27403) — they are plain strings, so we report them as text (OID 25).
 *  2. connectToShadowDb() reuses the main database (the connection string wins over `database`)
 *     and drops the shadow database before closing its pool.
 *  3. executeScript() splits scripts on every `;`, which breaks function bodies and string literals;
 *     PostgreSQL's simple-query protocol runs a multi-statement script as one implicit transaction.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { parse as parseIntoClientConfig } from "pg-connection-string";

const TEXT_OID = 25;
const UNMAPPABLE_OIDS = new Set([18, 19]);

type QueryResultLike = { fields?: Array<{ dataTypeID: number }> } | undefined;

function patchFieldTypes<T>(result: T): T {
  const results = Array.isArray(result) ? (result as QueryResultLike[]) : [result as QueryResultLike];
  for (const one of results) {
    for (const field of one?.fields ?? []) {
      if (UNMAPPABLE_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

class CatalogFriendlyClient extends pg.Client {
  // pg's overloads are too many to restate; the shim only forwards and patches the result.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      const callback = last as (err: Error | null, res: unknown) => void;
      args[args.length - 1] = (err: Error | null, res: unknown) => callback(err, err ? res : patchFieldTypes(res));

      return super.query(...(args as [string]));
    }

    const pending = super.query(...(args as [string])) as unknown;
    if (pending && typeof (pending as Promise<unknown>).then === "function") {
      return (pending as Promise<unknown>).then(patchFieldTypes);
    }
    return pending;
  }
}

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;

function withWholeScripts(adapter: Adapter): Adapter {
  const pool = adapter.underlyingDriver() as pg.Pool;
  adapter.executeScript = async (script: string) => {
    await pool.query(script);
  };
  return adapter;
}

function discreteConfig(url: string): pg.PoolConfig {
  const parsed = parseIntoClientConfig(url);
  return {
    host: parsed.host ?? undefined,
    port: parsed.port ? Number(parsed.port) : undefined,
    user: parsed.user ?? undefined,
    password: parsed.password ?? undefined,
    database: parsed.database ?? undefined,
    // One connection: the embedded PGlite server accepts no more, and migrations need no more.
    max: 1,
    // The CLI never closes its main pool; without this the idle client holds the process for 10 s.
    allowExitOnIdle: true,
    Client: CatalogFriendlyClient,
  };
}

export function migrateAdapter(url: string): PrismaPg {
  const config = discreteConfig(url);
  const factory = new PrismaPg(config);

  const connectMain = factory.connect.bind(factory);
  factory.connect = async () => withWholeScripts(await connectMain());

  factory.connectToShadowDb = async () => {
    const { Client: _custom, max: _max, ...adminConfig } = config;
    const admin = new pg.Client(adminConfig);
    await admin.connect();
    const database = `prisma_shadow_${globalThis.crypto.randomUUID().replaceAll("-", "")}`;
    await admin.query(`CREATE DATABASE "${database}"`);
    const adapter = withWholeScripts(await new PrismaPg({ ...config, database }).connect());
    const closePool = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      // Close our pool first: PostgreSQL refuses to drop a database that still has sessions.
      await closePool();
      await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.end();
    };
    return adapter;
  };
  return factory;
}
