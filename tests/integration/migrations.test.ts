import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
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
