import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { runPrismaCliCapturing } from "./prisma-cli.server";

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");

// Our own lock, distinct from the one Prisma's engine takes inside `migrate deploy` (72707369),
// so two ARES processes starting together never both decide to migrate.
const STARTUP_MIGRATION_LOCK = 0x41524553; // "ARES"

class MigrationError extends Error {
  constructor(readonly output: string) {
    super(`Applying database migrations failed:\n${output}`);
    this.name = "MigrationError";
  }
}

export function migrationNames(): string[] {
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(migrationsDir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
}

/** Anything that runs a query and returns its rows: a pg client, or Prisma through a small wrapper. */
type Queryable = { query<R extends pg.QueryResultRow>(sql: string): Promise<{ rows: R[] }> };

/** Migrations in prisma/migrations that the database has not finished applying. */
export async function pendingMigrations(client: Queryable): Promise<string[]> {
  const table = await client.query<{ exists: boolean }>(
    "SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS exists",
  );
  if (!table.rows[0]?.exists) return migrationNames();
  const applied = await client.query<{ migration_name: string }>(
    "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
  );
  const done = new Set(applied.rows.map((row) => row.migration_name));
  return migrationNames().filter((name) => !done.has(name));
}

type MigrationOutcome = { applied: string[] };

/**
 * Applies pending migrations with `prisma migrate deploy` — the real Prisma workflow — but only when
 * something is pending, so a restart costs one query. `singleConnection` is for the embedded database,
 * which accepts one connection: the check's connection is closed before the CLI connects.
 */
export async function applyPendingMigrations(
  databaseUrl: string,
  singleConnection: boolean,
): Promise<MigrationOutcome> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let open = true;
  const close = async () => {
    if (open) {
      open = false;
      await client.end();
    }
  };
  let locked = false;
  try {
    if ((await pendingMigrations(client)).length === 0) return { applied: [] };
    if (!singleConnection) {
      await client.query("SELECT pg_advisory_lock($1)", [STARTUP_MIGRATION_LOCK]);
      locked = true;
    }
    // Another process may have migrated while we waited for the lock.
    const pending = await pendingMigrations(client);
    if (pending.length === 0) return { applied: [] };
    if (singleConnection) await close();
    const result = await runPrismaCliCapturing(["migrate", "deploy"], { databaseUrl });
    if (result.code !== 0) throw new MigrationError(result.output);
    return { applied: pending };
  } finally {
    if (locked && open) await client.query("SELECT pg_advisory_unlock($1)", [STARTUP_MIGRATION_LOCK]);
    await close();
  }
}
