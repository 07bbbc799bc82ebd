import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { APPLICATION_NAME } from "~/db/connection-name.server";
import { claimDataDir, pgliteExtensions } from "~/db/embedded.server";

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

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => reject(new Error(`${command} could not run (is it installed?): ${error.message}`)));
    child.on("close", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} exited with ${code}:\n${stderr}`)),
    );
  });
}

/** Why a restore was not started; nothing was changed. */
export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefusedError";
  }
}

/** The migrations a dump says were applied, read from its copy of `_prisma_migrations`. */
async function migrationsInDump(file: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const copy = await run("pg_restore", ["--data-only", "--table=_prisma_migrations", "--file=-", file], env);
  const header = /^COPY \S*_prisma_migrations \(([^)]*)\) FROM stdin;$/m.exec(copy);
  if (!header) return [];
  const columns = header[1]!.split(",").map((column) => column.trim().replace(/"/g, ""));
  const [name, finished, rolledBack] = ["migration_name", "finished_at", "rolled_back_at"].map((column) =>
    columns.indexOf(column),
  );
  const rows = copy
    .slice(header.index + header[0].length)
    .split("\n\\.")[0]!
    .trim()
    .split("\n");
  return rows
    .map((row) => row.split("\t"))
    .filter((fields) => fields[finished!] !== "\\N" && fields[rolledBack!] === "\\N")
    .map((fields) => fields[name!]!)
    .filter(Boolean)
    .sort();
}

/**
 * Refuses a restore that would lose or mix data: while an ARES process is connected (writes it
 * acknowledges during the restore would vanish; skipped with `force`), and when the dump's migrations
 * differ from this code's unless the target is empty (`--clean` drops only the dump's own objects, so
 * tables from other migrations would survive beside it and the next start fails).
 */
async function checkRestoreTarget(databaseUrl: string, file: string, env: NodeJS.ProcessEnv, force: boolean) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "ares-restore" });
  await client.connect();
  try {
    if (!force) {
      const { rows } = await client.query<{ connections: number; clients: string | null }>(
        `SELECT count(*)::int AS connections, string_agg(DISTINCT coalesce(host(client_addr), 'local socket'), ', ') AS clients
           FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
        [APPLICATION_NAME],
      );
      const { connections, clients } = rows[0]!;
      if (connections > 0) {
        throw new RestoreRefusedError(
          `ARES is using this database (${connections} connection${connections === 1 ? "" : "s"} from ${clients}). ` +
            "Stop every ARES process first; anything they stored during the restore would be lost. " +
            "To restore anyway, add --force.",
        );
      }
    }
    const { rows: tables } = await client.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM pg_tables WHERE schemaname = 'public'",
    );
    if (tables[0]!.count === 0) return;
    const inDump = await migrationsInDump(file, env);
    // Loaded here: the embedded path and backups need none of the migration tooling.
    const inCode = (await import("~/db/migrations.server")).migrationNames();
    const missing = inCode.filter((name) => !inDump.includes(name));
    const unknown = inDump.filter((name) => !inCode.includes(name));
    if (missing.length === 0 && unknown.length === 0) return;
    const details = [
      missing.length > 0 ? `missing from the backup: ${missing.join(", ")}` : "",
      unknown.length > 0 ? `unknown to this version of ARES: ${unknown.join(", ")}` : "",
    ].filter(Boolean);
    throw new RestoreRefusedError(
      `This backup was made by a different version of ARES (${details.join("; ")}). Restoring it over an existing ` +
        "database would leave a mix of both schemas. Restore it into an empty database instead — for example " +
        "`createdb ares_restored`, then `DATABASE_URL=postgresql://…/ares_restored npm run db:restore -- <file>` — " +
        (unknown.length > 0
          ? "and run it with the version of ARES that made the backup."
          : "and start ARES on it: the missing migrations are applied at start-up."),
    );
  } finally {
    await client.end();
  }
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
        const db = await PGlite.create(live, { extensions: pgliteExtensions });
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
 * recreated in one transaction, after checkRestoreTarget. Embedded: the current data folder is kept
 * aside as `pglite.before-restore-…` (a running ARES holds the folder's lock, so it is refused then).
 */
export async function restoreBackup(
  target: BackupTarget,
  file: string,
  options: { force?: boolean } = {},
): Promise<void> {
  if (!fs.existsSync(file)) throw new Error(`No such backup: ${file}`);
  if (target.databaseUrl) {
    if (!file.endsWith(".dump")) throw new Error("A PostgreSQL database restores from a .dump file (pg_dump -Fc).");
    const { url, env } = pgConnection(target.databaseUrl);
    await checkRestoreTarget(target.databaseUrl, file, env, options.force ?? false);
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
      const db = await PGlite.create(incoming, {
        loadDataDir: new Blob([fs.readFileSync(file)]),
        extensions: pgliteExtensions,
      });
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
