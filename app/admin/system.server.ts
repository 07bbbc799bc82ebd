import { queryRows } from "~/db/sql.server";
import { Prisma } from "~/generated/prisma/client";

/** Prisma's own bookkeeping table (not in schema.prisma): what `migrate deploy` recorded, newest first. */
export const appliedMigrationsSql = Prisma.sql`
  SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY started_at DESC`;

export async function appliedMigrations(): Promise<Array<{ name: string; appliedAt: string | null }>> {
  const rows = await queryRows<{ migration_name: string; finished_at: Date | null }>(appliedMigrationsSql);
  return rows.map((row) => ({ name: row.migration_name, appliedAt: row.finished_at?.toISOString() ?? null }));
}
