/**
 * Runs before each test file: gives the file a fresh, fully migrated database of its own and points
 * DATABASE_URL at it before any app module connects.
 */
import { afterAll, inject } from "vitest";
import { onServer, serverUrl, withDatabase } from "../support/postgres";

const mode = inject("databaseMode");
// This process's own connections are not a serving ARES (db:restore refuses while one is connected).
process.env.PGAPPNAME ??= "ares-tests";
let cleanup: () => Promise<void>;

if (mode === "postgres") {
  const database = `ares_test_${inject("runId")}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await onServer((client) => client.query(`CREATE DATABASE "${database}" TEMPLATE "${inject("templateDatabase")}"`));
  process.env.DATABASE_URL = withDatabase(serverUrl, database);
  cleanup = () =>
    onServer((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).then(() => undefined);
} else {
  const { startEmbeddedDatabase } = await import("~/db/embedded.server");
  const { applyPendingMigrations } = await import("~/db/migrations.server");
  const embedded = await startEmbeddedDatabase(undefined);
  await applyPendingMigrations(embedded.url, true);
  process.env.DATABASE_URL = embedded.url;
  process.env.ARES_EMBEDDED_DB = "1";
  cleanup = embedded.stop;
}

afterAll(async () => {
  const { closeDb } = await import("~/db/db.server");
  await closeDb();
  await cleanup();
});
