import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { claimDataDir } from "~/db/embedded.server";

/**
 * Backups: PostgreSQL through `pg_dump` custom format (restored with `pg_restore`); the embedded
 * database as PGlite's own data-folder tarball, taken while ARES is stopped so it is consistent.
 */
type BackupTarget = { databaseUrl: string | undefined; dataDir: string };

const BACKUP_NAME = /^ares-\d{8}T\d{9}Z\.(dump|pglite\.tar\.gz)$/;

function timestamp(): string {
  // Sortable and safe in file names: 20261128T211735123Z.
  return new Date().toISOString().replace(/[-:.]/g, "");
}

/** pg tools take the password from the environment, so it never shows in `ps`. */
function pgConnection(databaseUrl: string): { url: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = "";
  return { url: url.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "inherit", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => reject(new Error(`${command} could not run (is it installed?): ${error.message}`)));
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}:\n${stderr}`)),
    );
  });
}

/** Keeps the newest `keep` backups in `backupDir` and deletes older ones; returns what was deleted. */
export function pruneBackups(backupDir: string, keep: number): string[] {
  const backups = fs
    .readdirSync(backupDir)
    .filter((name) => BACKUP_NAME.test(name))
    .sort()
    .reverse();
  const old = backups.slice(keep);
  for (const name of old) fs.rmSync(path.join(backupDir, name));
  return old;
}

/** Writes a new backup into `backupDir` and returns its path. A failed backup leaves no file behind. */
export async function createBackup(target: BackupTarget, backupDir: string): Promise<string> {
  fs.mkdirSync(backupDir, { recursive: true });
  const file = path.join(backupDir, `ares-${timestamp()}.${target.databaseUrl ? "dump" : "pglite.tar.gz"}`);
  const partial = `${file}.partial`;
  try {
    if (target.databaseUrl) {
      const { url, env } = pgConnection(target.databaseUrl);
      await run(
        "pg_dump",
        ["--format=custom", "--no-owner", "--no-privileges", `--file=${partial}`, `--dbname=${url}`],
        env,
      );
    } else {
      const live = path.join(target.dataDir, "pglite");
      // Opening a missing folder would create an empty database and "back up" that instead.
      if (!fs.existsSync(live)) throw new Error(`No embedded database at ${live}: check ARES_DATA_DIR.`);
      const release = claimDataDir(target.dataDir);
      try {
        const db = await PGlite.create(live);
        const tarball = await db.dumpDataDir("gzip");
        await db.close();
        fs.writeFileSync(partial, Buffer.from(await tarball.arrayBuffer()));
      } finally {
        release();
      }
    }
    fs.renameSync(partial, file);
    return file;
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/**
 * Replaces the database's contents with a backup. PostgreSQL: objects in the dump are dropped and
 * recreated in one transaction. Embedded: the current data folder is kept aside as `pglite.before-restore-…`.
 */
export async function restoreBackup(target: BackupTarget, file: string): Promise<void> {
  if (!fs.existsSync(file)) throw new Error(`No such backup: ${file}`);
  if (target.databaseUrl) {
    if (!file.endsWith(".dump")) throw new Error("A PostgreSQL database restores from a .dump file (pg_dump -Fc).");
    const { url, env } = pgConnection(target.databaseUrl);
    await run(
      "pg_restore",
      ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", `--dbname=${url}`, file],
      env,
    );
    return;
  }
  if (!file.endsWith(".pglite.tar.gz")) throw new Error("The embedded database restores from a .pglite.tar.gz file.");
  fs.mkdirSync(target.dataDir, { recursive: true });
  const release = claimDataDir(target.dataDir);
  try {
    const current = path.join(target.dataDir, "pglite");
    // Unpacked beside the live folder first: a damaged backup must leave the current data in place.
    const incoming = path.join(target.dataDir, `pglite.restoring-${timestamp()}`);
    try {
      const db = await PGlite.create(incoming, { loadDataDir: new Blob([fs.readFileSync(file)]) });
      await db.query("SELECT 1");
      await db.close();
    } catch (error) {
      fs.rmSync(incoming, { recursive: true, force: true });
      throw new Error(`The backup ${file} could not be opened; the current data is unchanged.`, { cause: error });
    }
    if (fs.existsSync(current))
      fs.renameSync(current, path.join(target.dataDir, `pglite.before-restore-${timestamp()}`));
    fs.renameSync(incoming, current);
  } finally {
    release();
  }
}
