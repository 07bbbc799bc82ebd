import { afterAll, expect, it } from "vitest";
import { startEmbeddedDatabase } from "~/db/embedded.server";
import { Prisma } from "~/generated/prisma/client";

// Always on the embedded PGlite (one session behind its socket server), whatever the suite runs on.
const embedded = process.env.ARES_EMBEDDED_DB === "1" ? undefined : await startEmbeddedDatabase(undefined);
if (embedded) {
  process.env.DATABASE_URL = embedded.url;
  process.env.ARES_EMBEDDED_DB = "1";
}
const { closeDb, pool } = await import("~/db/db.server");
const { queryRows } = await import("~/db/sql.server");

afterAll(async () => {
  if (!embedded) return;
  await closeDb();
  await embedded.stop();
});

it("serves prepared statements again after a failed query replaced the connection", async () => {
  // A named (prepared) statement, as every hot-path statement is.
  const statement = Prisma.sql`SELECT ${41}::int + 1 AS answer`;
  expect(await queryRows<{ answer: number }>(statement)).toEqual([{ answer: 42 }]);
  // pg-pool drops a connection whose query failed (a unique violation from a double-submitted form does
  // it); the next one reaches the same PGlite session, which still holds the statement prepared above.
  await expect(pool().query("SELECT 1 / 0")).rejects.toThrow(/division by zero/);
  for (let round = 0; round < 3; round++) {
    expect(await queryRows<{ answer: number }>(statement)).toEqual([{ answer: 42 }]);
    await expect(pool().query("SELECT 1 / 0")).rejects.toThrow(/division by zero/);
  }
});

it("applies the statement timeout, which PGlite does not take from the connection's settings", async () => {
  const { rows } = await pool().query<{ statement_timeout: string }>("SHOW statement_timeout");
  expect(rows[0]!.statement_timeout).toBe("15s");
});
