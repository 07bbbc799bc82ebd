import { parseConfig } from "~/config/env.server";
import { DataDirInUseError, startEmbeddedDatabase } from "~/db/embedded.server";
import { applyPendingMigrations } from "~/db/migrations.server";

/**
 * Runs `work` with DATABASE_URL pointing at the configured database: PostgreSQL when DATABASE_URL is
 * set, else the embedded database in ARES_DATA_DIR (which must not be in use by a running ARES).
 */
export async function withDatabaseUrl<T>(work: (url: string) => Promise<T>, options = { migrate: false }): Promise<T> {
  const config = parseConfig();
  if (config.databaseUrl) {
    if (options.migrate) await applyPendingMigrations(config.databaseUrl, false);
    return work(config.databaseUrl);
  }
  const embedded = await startEmbeddedDatabase(config.dataDir).catch((error: unknown) => {
    // A running ARES holds the folder (PGlite has one writer): the operator needs that sentence, not a stack.
    if (!(error instanceof DataDirInUseError)) throw error;
    console.error(error.message);
    process.exit(1);
  });
  process.env.DATABASE_URL = embedded.url;
  process.env.ARES_EMBEDDED_DB = "1";
  console.error(`Using the embedded database in ${config.dataDir}`);
  try {
    if (options.migrate) await applyPendingMigrations(embedded.url, true);
    return await work(embedded.url);
  } finally {
    await embedded.stop();
  }
}
