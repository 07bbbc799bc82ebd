import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { familyFingerprints } from "~/calendar/events.server";
import { startEmbeddedDatabase } from "~/db/embedded.server";
import { applyPendingMigrations, migrationNames } from "~/db/migrations.server";
import { runPrismaCliCapturing } from "~/db/prisma-cli.server";
import { onServer, serverIsReachable, serverUrl, withDatabase } from "../support/postgres";

const created: string[] = [];
afterAll(async () => {
  if (created.length === 0) return;
  await onServer(async (client) => {
    for (const name of created) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
});

async function emptyDatabase(): Promise<string> {
  const name = `ares_mig_${process.pid}_${created.length}_${Date.now().toString(36)}`;
  await onServer((client) => client.query(`CREATE DATABASE "${name}"`));
  created.push(name);
  return withDatabase(serverUrl, name);
}

/**
 * Runs `check` on a fresh database as it was just before the migration named `*_<suffix>`: every
 * migration applied, then `undo` (SQL that takes that migration's change back). `check` seeds what older
 * versions could have left, calls `migrate()` (the migration's own SQL), and looks at the rows.
 */
async function beforeMigration(
  suffix: string,
  undo: string,
  check: (client: pg.Client, migrate: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const url = await emptyDatabase();
  await applyPendingMigrations(url, false);
  const migration = migrationNames().find((name) => name.endsWith(`_${suffix}`));
  expect(migration, `a migration named *_${suffix}`).toBeDefined();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(undo);
    await check(client, async () => {
      await client.query(fs.readFileSync(path.join("prisma/migrations", migration!, "migration.sql"), "utf8"));
    });
  } finally {
    await client.end();
  }
}

/** The person 'u1' the seeds belong to, and (`subscription`) their calendar subscription 'sub'. */
async function seedPerson(client: pg.Client, { subscription = false } = {}): Promise<void> {
  await client.query(`INSERT INTO "User" (id, email, "updatedAt") VALUES ('u1', 'u1@example.test', now())`);
  if (!subscription) return;
  await client.query(
    `INSERT INTO "CalendarSubscription" (id, "userId", name, url, "updatedAt")
     VALUES ('sub', 'u1', 'Team', 'https://example.test/team.ics', now())`,
  );
}

async function tablesIn(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    return rows.map((row) => row.tablename);
  } finally {
    await client.end();
  }
}

const postgresAvailable = await serverIsReachable();

describe.runIf(postgresAvailable)("migrations on PostgreSQL", () => {
  it("apply every migration to an empty database, once", async () => {
    const url = await emptyDatabase();
    const first = await applyPendingMigrations(url, false);
    expect(first.applied).toEqual(migrationNames());
    expect(await tablesIn(url)).toEqual(expect.arrayContaining(["User", "_prisma_migrations"]));
    const again = await applyPendingMigrations(url, false);
    expect(again.applied).toEqual([]);
  });

  it("two processes starting together migrate once and both succeed", async () => {
    const url = await emptyDatabase();
    const [a, b] = await Promise.all([applyPendingMigrations(url, false), applyPendingMigrations(url, false)]);
    expect([a.applied, b.applied]).toContainEqual(migrationNames());
    expect([a.applied, b.applied]).toContainEqual([]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ count: string }>("SELECT count(*) FROM _prisma_migrations");
    await client.end();
    expect(Number(rows[0]!.count)).toBe(migrationNames().length);
  });

  it("the schema and the migrations agree (no drift)", async () => {
    const url = await emptyDatabase();
    const result = await runPrismaCliCapturing(
      [
        "migrate",
        "diff",
        "--from-migrations",
        "prisma/migrations",
        "--to-schema-datamodel",
        "prisma/schema.prisma",
        "--exit-code",
      ],
      { databaseUrl: url },
    );
    expect(result.output).toContain("No difference detected");
    expect(result.code).toBe(0);
  });

  it("the drift check fails when schema.prisma changes without a migration", async () => {
    const url = await emptyDatabase();
    const drifted = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ares-drift-")), "schema.prisma");
    const schema = fs.readFileSync("prisma/schema.prisma", "utf8");
    fs.writeFileSync(drifted, schema.replace("model User {", "model User {\n  nickname String?"));
    const result = await runPrismaCliCapturing(
      ["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema-datamodel", drifted, "--exit-code"],
      { databaseUrl: url },
    );
    expect(result.code).toBe(2);
    expect(result.output).toContain("nickname");
  });
});

describe.runIf(postgresAvailable)("the one-copy-per-UID index on a database that has copies already", () => {
  it("keeps every copy: the oldest keeps the UID, later ones (with their exceptions) get new ones", async () => {
    // The database as it was before the migration, with what two imports at once could leave behind.
    await beforeMigration(
      "event_own_uid_unique",
      `DROP INDEX "Event_userId_uid_own_series_key"`,
      async (client, migrate) => {
        await seedPerson(client, { subscription: true });
        const event = (id: string, created: string, extra: { seriesId?: string; subscriptionId?: string } = {}) =>
          client.query(
            `INSERT INTO "Event" (id, "userId", uid, title, "startLocal", "endLocal", "rangeStart", "seriesId",
                                "recurrenceId", "subscriptionId", "createdAt", "updatedAt")
           VALUES ($1, 'u1', 'conference@example.test', $1, '2026-03-02T10:00', '2026-03-02T11:00', now(),
                   $3::text, CASE WHEN $3::text IS NULL THEN NULL ELSE '2026-03-09T10:00' END, $4, $2, now())`,
            [id, created, extra.seriesId ?? null, extra.subscriptionId ?? null],
          );
        await event("first", "2026-12-01T10:00Z");
        await event("first-exception", "2026-12-01T10:00Z", { seriesId: "first" });
        await event("second", "2026-12-01T10:00Z");
        await event("second-exception", "2026-12-01T10:00Z", { seriesId: "second" });
        await event("third", "2026-12-01T09:00Z");
        await event("subscribed", "2026-11-01T10:00Z", { subscriptionId: "sub" });
        await migrate();
        const { rows } = await client.query<{ id: string; uid: string }>(`SELECT id, uid FROM "Event" ORDER BY id`);
        const uid = Object.fromEntries(rows.map((row) => [row.id, row.uid]));
        expect(Object.keys(uid).sort()).toEqual(
          ["first", "first-exception", "second", "second-exception", "subscribed", "third"].sort(),
        );
        // The oldest copy (then the lowest id) keeps the UID; the subscription's event is its feed's.
        expect(uid.third).toBe("conference@example.test");
        expect(uid.subscribed).toBe("conference@example.test");
        for (const copy of ["first", "second"]) {
          expect(uid[copy]).toMatch(/^[0-9a-f-]{36}@ares$/);
          expect(uid[`${copy}-exception`]).toBe(uid[copy]);
        }
        expect(uid.first).not.toBe(uid.second);
        await expect(
          client.query(`UPDATE "Event" SET uid = 'conference@example.test' WHERE id = 'first'`),
        ).rejects.toThrow(/Event_userId_uid_own_series_key/);
      },
    );
  });
});

describe.runIf(postgresAvailable)("importedVersion on a database with events imported before it", () => {
  it("takes imported families as unchanged since, unless an exception was written later; subscribed ones never imported", async () => {
    // The database as it was before the migration.
    await beforeMigration(
      "event_imported_at",
      `ALTER TABLE "Event" DROP COLUMN "importedVersion"`,
      async (client, migrate) => {
        await seedPerson(client, { subscription: true });
        const event = (
          id: string,
          source: string,
          updated: string,
          extra: { seriesId?: string; subscriptionId?: string } = {},
        ) =>
          client.query(
            `INSERT INTO "Event" (id, "userId", uid, title, "startLocal", "endLocal", "rangeStart", "seriesId",
                                "recurrenceId", source, "subscriptionId", "updatedAt")
           VALUES ($1, 'u1', $1 || '@example.test', $1, '2026-03-02T10:00', '2026-03-02T11:00', now(), $4::text,
                   CASE WHEN $4::text IS NULL THEN NULL ELSE '2026-03-09T10:00' END, $2::"EventSource", $5, $3)`,
            [id, source, updated, extra.seriesId ?? null, extra.subscriptionId ?? null],
          );
        // Imported, with an exception the same import wrote: as the import left it.
        await event("imported", "import", "2026-12-01T10:00:00.000Z");
        await event("imported-exception", "import", "2026-12-01T10:00:00.020Z", { seriesId: "imported" });
        // Imported, then one date changed here a day later (an exception made here takes its series' source).
        await event("edited", "import", "2026-12-01T10:00:00.000Z");
        await event("edited-exception", "import", "2026-12-02T08:00:00.000Z", { seriesId: "edited" });
        await event("subscribed", "subscription", "2026-12-01T10:00:00.000Z", { subscriptionId: "sub" });
        await event("local", "local", "2026-12-01T10:00:00.000Z");
        await migrate();
        const { rows } = await client.query<{ id: string; importedVersion: string | null }>(
          `SELECT id, "importedVersion" FROM "Event" ORDER BY id`,
        );
        const version = Object.fromEntries(rows.map((row) => [row.id, row.importedVersion]));
        // The fingerprint an import compares with: the family as it is now, so importing its file again updates it.
        const now = familyFingerprints("u1", ["imported", "edited"]);
        const fingerprints = (await client.query<{ id: string; version: string }>(now.text, now.values)).rows;
        expect(version.imported).toBe(fingerprints.find((row) => row.id === "imported")!.version);
        // Written apart from its series: a change made here, which no fingerprint matches (kept by an import).
        expect(version.edited).toBe("");
        // Only a family's head carries it; never-imported events have none (an import updates them as the file says).
        expect(version["imported-exception"]).toBeNull();
        expect(version["edited-exception"]).toBeNull();
        expect(version.subscribed).toBeNull();
        expect(version.local).toBeNull();
      },
    );
  });
});

describe.runIf(postgresAvailable)("UsageSlot on a database with daily usage before it", () => {
  it("holds each UTC day's total as one slot at its 00:00, so /settings/usage still shows the days before", async () => {
    await beforeMigration("usage_slots", `DROP TABLE "UsageSlot"`, async (client, migrate) => {
      await seedPerson(client);
      await client.query(
        `INSERT INTO "UsageDaily" ("userId", day, provider, model, requests, "promptTokens", "completionTokens", cost)
         VALUES ('u1', '2026-12-01', 'openrouter', 'a', 3, 30, 60, 0.5), ('u1', '2026-12-02', 'ollama', 'b', 1, 5, 7, 0)`,
      );
      await migrate();
      const { rows } = await client.query<{ slot: string; provider: string; requests: number; tokens: number }>(
        `SELECT to_char("slotStart", 'YYYY-MM-DD HH24:MI') AS slot, provider, requests,
                "promptTokens" + "completionTokens" AS tokens
           FROM "UsageSlot" ORDER BY "slotStart"`,
      );
      expect(rows).toEqual([
        { slot: "2026-12-01 00:00", provider: "openrouter", requests: 3, tokens: 90 },
        { slot: "2026-12-02 00:00", provider: "ollama", requests: 1, tokens: 12 },
      ]);
    });
  });
});

describe("migrations on the embedded PGlite", () => {
  it("apply every migration to an empty data folder", { timeout: 60_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-pglite-"));
    const embedded = await startEmbeddedDatabase(dataDir);
    try {
      const first = await applyPendingMigrations(embedded.url, true);
      expect(first.applied).toEqual(migrationNames());
      expect(await tablesIn(embedded.url)).toEqual(expect.arrayContaining(["User", "_prisma_migrations"]));
      expect((await applyPendingMigrations(embedded.url, true)).applied).toEqual([]);
    } finally {
      await embedded.stop();
    }
    expect(fs.existsSync(path.join(dataDir, "pglite"))).toBe(true);
  });
});
