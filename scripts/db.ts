/**
 * Database commands: `npm run db:migrate` (apply), `db:migrate:new -- <name>` (author), `db:status`, `db:seed`.
 * Without DATABASE_URL they act on the embedded database in ARES_DATA_DIR (default ./data), which must
 * not be in use by a running ARES (it accepts one connection).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseConfig } from "~/config/env.server";
import { runPrismaCli, runPrismaCliCapturing } from "~/db/prisma-cli.server";
import { withDatabaseUrl } from "./database-url";

const [command, ...rest] = process.argv.slice(2);
const config = parseConfig();

function usage(): never {
  console.error("usage: tsx scripts/db.ts migrate | new <name> [--empty] | status | seed");
  process.exit(2);
}

function runSeed(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("prisma/seed.ts")], {
      stdio: "inherit",
      env: { ...process.env, DATABASE_URL: url, ARES_EMBEDDED_DB: config.databaseUrl ? "" : "1" },
    });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/**
 * Prisma's own `migrate diff` writes the SQL that takes the migrations to the schema; `migrate dev` would
 * do the same but refuses to run without a TTY whenever it has a warning to confirm.
 */
async function authorMigration(name: string, databaseUrl: string, allowEmpty: boolean): Promise<number> {
  const diff = await runPrismaCliCapturing(
    [
      "migrate",
      "diff",
      "--from-migrations",
      "prisma/migrations",
      "--to-schema-datamodel",
      "prisma/schema.prisma",
      "--script",
    ],
    { databaseUrl },
  );
  if (diff.code !== 0) {
    console.error(diff.output);
    return diff.code;
  }
  const sql = diff.output.slice(diff.output.indexOf("--"));
  if (sql.includes("This is an empty migration") && !allowEmpty) {
    console.error(
      "schema.prisma and the migrations agree: nothing to create (pass --empty for a custom-SQL migration).",
    );
    return 1;
  }
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const folder = path.join("prisma/migrations", `${stamp}_${name}`);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, "migration.sql"), sql);
  if (allowEmpty) {
    console.error(`Created ${folder}/migration.sql: write its SQL, then apply it with npm run db:migrate.`);
    return 0;
  }
  console.error(`Created ${folder}/migration.sql; applying it to ${new URL(databaseUrl).pathname.slice(1)}…`);
  return runPrismaCli(["migrate", "deploy"], { databaseUrl, stdio: "inherit" });
}

let code: number;
switch (command) {
  case "migrate":
    code = await withDatabaseUrl((url) => runPrismaCli(["migrate", "deploy"], { databaseUrl: url, stdio: "inherit" }));
    break;
  case "status":
    code = await withDatabaseUrl((url) => runPrismaCli(["migrate", "status"], { databaseUrl: url, stdio: "inherit" }));
    break;
  case "seed":
    code = await withDatabaseUrl(runSeed);
    break;
  case "new": {
    const name = rest.find((arg) => !arg.startsWith("-"));
    if (!name || !/^[a-z0-9_]+$/.test(name)) usage();
    if (!config.databaseUrl) {
      // Diffing replays the migrations into a shadow database, which needs a second connection PGlite cannot give.
      console.error("Authoring a migration needs a PostgreSQL server: set DATABASE_URL to a development database.");
      process.exit(2);
    }
    code = await authorMigration(name, config.databaseUrl, rest.includes("--empty"));
    break;
  }
  default:
    usage();
}
process.exit(code);
