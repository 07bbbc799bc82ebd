import { afterAll } from "vitest";
import { startEmbeddedDatabase } from "~/db/embedded.server";
import { applyPendingMigrations } from "~/db/migrations.server";
import { jobsSuite } from "./jobs.shared";

// Always on the embedded PGlite behind its single-connection socket, whatever the suite runs on.
const embedded = process.env.ARES_EMBEDDED_DB === "1" ? undefined : await startEmbeddedDatabase(undefined);
if (embedded) {
  await applyPendingMigrations(embedded.url, true);
  process.env.DATABASE_URL = embedded.url;
  process.env.ARES_EMBEDDED_DB = "1";
}

afterAll(async () => {
  if (!embedded) return;
  const { closeDb } = await import("~/db/db.server");
  await closeDb();
  await embedded.stop();
});

jobsSuite("embedded");
