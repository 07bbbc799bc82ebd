/**
 * `npm run db:backup` — a timestamped backup in BACKUP_DIR (default ./backups), keeping the newest BACKUP_KEEP.
 * `npm run db:restore -- <file>` — replaces the database's contents with that backup.
 * Without DATABASE_URL they act on the embedded database in ARES_DATA_DIR: stop ARES first.
 */
import { createBackup, pruneBackups, restoreBackup } from "~/backup/backup.server";
import { parseConfig } from "~/config/env.server";

const [command, file] = process.argv.slice(2);
const config = parseConfig();
const target = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };

try {
  if (command === "backup") {
    const created = await createBackup(target, config.backupDir);
    const removed = pruneBackups(config.backupDir, config.backupKeep);
    console.log(created);
    if (removed.length > 0) console.error(`Removed ${removed.length} older backup(s), keeping ${config.backupKeep}.`);
  } else if (command === "restore" && file) {
    await restoreBackup(target, file);
    console.error(`Restored ${file}.`);
  } else {
    console.error("usage: npm run db:backup | npm run db:restore -- <file>");
    process.exit(2);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
