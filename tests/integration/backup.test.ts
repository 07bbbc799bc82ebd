import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

/** Runs `npm run db:backup` / `db:restore` as an operator would (the script behind them). */
function runScript(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/backup.ts", ...args], {
    cwd: root,
    // Remix types NODE_ENV as always present; the script runs without it, as in local mode.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
}

function script(args: string[], env: Record<string, string>) {
  const result = runScript(args, env);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.runIf(process.env.ARES_EMBEDDED_DB !== "1")("backups of a PostgreSQL database", () => {
  it("back up, wipe, restore: the data is equal; only the newest BACKUP_KEEP backups are kept", async () => {
    const url = process.env.DATABASE_URL!;
    const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-backups-"));
    await query(url, "CREATE TABLE backup_probe (id int PRIMARY KEY, note text NOT NULL, at timestamptz NOT NULL)");
    await query(url, "INSERT INTO backup_probe SELECT n, 'row ' || n, now() FROM generate_series(1, 50) n");
    const snapshot = async () => ({
      probe: await query(url, "SELECT * FROM backup_probe ORDER BY id"),
      migrations: await query(url, "SELECT migration_name, checksum FROM _prisma_migrations ORDER BY migration_name"),
      tables: await query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"),
    });
    const before = await snapshot();

    const env = { DATABASE_URL: url, BACKUP_DIR: backupDir, BACKUP_KEEP: "2" };
    const file = script(["backup"], env);
    expect(path.basename(file)).toMatch(/^ares-\d{8}T\d{9}Z\.dump$/);
    expect(fs.statSync(file).size).toBeGreaterThan(0);

    await query(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    expect(await query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);

    script(["restore", file], env);
    expect(await snapshot()).toEqual(before);

    script(["backup"], env);
    script(["backup"], env);
    const kept = fs.readdirSync(backupDir);
    expect(kept).toHaveLength(2);
    expect(kept).not.toContain(path.basename(file));
  });
});

describe.runIf(process.env.ARES_EMBEDDED_DB !== "1")("restoring over a PostgreSQL database ARES is using", () => {
  it("is refused while ARES is connected, unless forced", { timeout: 60_000 }, async () => {
    const url = process.env.DATABASE_URL!;
    const env = { DATABASE_URL: url, BACKUP_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "ares-backups-")) };
    const file = script(["backup"], env);
    // A connection named as a serving ARES names its pool's (app/db/connection-name.server.ts).
    const ares = new pg.Client({ connectionString: url, application_name: "ares" });
    await ares.connect();
    try {
      const refused = runScript(["restore", file], env);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain("ARES is using this database (1 connection");
      expect(refused.stderr).toContain("--force");
      expect(runScript(["restore", file, "--force"], env).status).toBe(0);
    } finally {
      await ares.end();
    }
  });

  it(
    "is refused over a non-empty database when the backup's migrations differ, and works into an empty one",
    { timeout: 60_000 },
    async () => {
      const url = process.env.DATABASE_URL!;
      const env = { DATABASE_URL: url, BACKUP_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "ares-backups-")) };
      // A backup made before the newest migration existed.
      const [newest] = await query<{ migration_name: string }>(
        url,
        "SELECT migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1",
      );
      await query(
        url,
        `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${newest!.migration_name}'`,
      );
      const older = script(["backup"], env);
      await query(
        url,
        `UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = '${newest!.migration_name}'`,
      );
      await query(url, "CREATE TABLE restore_probe (id int)");

      const refused = runScript(["restore", older], env);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(`missing from the backup: ${newest!.migration_name}`);
      expect(refused.stderr).toContain("Restore it into an empty database");
      // Nothing was touched.
      expect(await query(url, "SELECT * FROM restore_probe")).toEqual([]);

      await query(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
      script(["restore", older], env);
      const pending = await query(
        url,
        "SELECT migration_name FROM _prisma_migrations WHERE rolled_back_at IS NOT NULL",
      );
      expect(pending).toEqual([{ migration_name: newest!.migration_name }]);
    },
  );
});

describe("backups of the embedded database", () => {
  it("back up, wipe, restore: the data is equal", { timeout: 60_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-embedded-backup-"));
    const backupDir = path.join(dataDir, "backups");
    const db = await PGlite.create(path.join(dataDir, "pglite"));
    await db.exec(
      "CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'kept'), (2, 'also kept')",
    );
    await db.close();

    const env = { ARES_DATA_DIR: dataDir, BACKUP_DIR: backupDir };
    const file = script(["backup"], env);
    expect(path.basename(file)).toMatch(/\.pglite\.tar\.gz$/);

    const wiped = await PGlite.create(path.join(dataDir, "pglite"));
    await wiped.exec("DROP TABLE notes");
    await wiped.close();

    script(["restore", file], env);
    const restored = await PGlite.create(path.join(dataDir, "pglite"));
    const rows = await restored.query("SELECT * FROM notes ORDER BY id");
    await restored.close();
    expect(rows.rows).toEqual([
      { id: 1, body: "kept" },
      { id: 2, body: "also kept" },
    ]);

    // A damaged backup is refused and the data stays as it is.
    const damaged = path.join(backupDir, "ares-damaged.pglite.tar.gz");
    fs.writeFileSync(damaged, fs.readFileSync(file).subarray(0, 200));
    const refused = runScript(["restore", damaged], env);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("the current data is unchanged");
    const after = await PGlite.create(path.join(dataDir, "pglite"));
    expect((await after.query("SELECT count(*)::int AS n FROM notes")).rows).toEqual([{ n: 2 }]);
    await after.close();
  });

  it("refuses to back up a data folder that holds no database, instead of saving an empty one", () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-embedded-none-"));
    const result = runScript(["backup"], { ARES_DATA_DIR: dataDir, BACKUP_DIR: path.join(dataDir, "backups") });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("No embedded database");
    expect(fs.existsSync(path.join(dataDir, "pglite"))).toBe(false);
  });
});
