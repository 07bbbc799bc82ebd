/**
 * `npm run db:backup` — a timestamped backup in BACKUP_DIR (default ./backups), keeping the newest BACKUP_KEEP.
 * `npm run db:restore -- <file> [--force]` — replaces the database's contents with that backup; refused
 * while ARES is connected (unless --force) and, over a non-empty database, when the backup's migrations
 * differ from this code's.
 * Without DATABASE_URL they act on the embedded database in ARES_DATA_DIR: stop ARES first.
 */
import { createBackup, pruneBackups, restoreBackup } from "~/backup/backup.server";
import { parseConfig } from "~/config/env.server";

const args = process.argv.slice(2);
const force = args.includes("--force");
const [command, file] = args.filter((arg) => arg !== "--force");
const config = parseConfig();
const target = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };

try {
  if (command === "backup") {
    const created = await createBackup(target, config.backupDir);
    const removed = pruneBackups(config.backupDir, config.backupKeep);
    console.log(created);
    if (removed.length > 0) console.error(`Removed ${removed.length} older backup(s), keeping ${config.backupKeep}.`);
  } else if (command === "restore" && file) {
    await restoreBackup(target, file, { force });
    console.error(`Restored ${file}.`);
  } else {
    console.error("usage: npm run db:backup | npm run db:restore -- <file> [--force]");
    process.exit(2);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
