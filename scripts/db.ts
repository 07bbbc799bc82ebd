/**
 * Database commands: `npm run db:migrate` (apply), `db:migrate:new -- <name>` (author), `db:status`, `db:seed`.
 * Without DATABASE_URL they act on the embedded database in ARES_DATA_DIR (default ./data), which must
 * not be in use by a running ARES (it accepts one connection).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { parseConfig } from "~/config/env.server";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "~/db/embedded.server";
import { runPrismaCli } from "~/db/prisma-cli.server";

const [command, ...rest] = process.argv.slice(2);
const config = parseConfig();

function usage(): never {
  console.error("usage: tsx scripts/db.ts migrate | new <name> | status | seed");
  process.exit(2);
}

async function withDatabase(run: (url: string) => Promise<number>): Promise<number> {
  if (config.databaseUrl) return run(config.databaseUrl);
  let embedded: EmbeddedDatabase | undefined;
  try {
    embedded = await startEmbeddedDatabase(config.dataDir);
    console.error(`Using the embedded database in ${config.dataDir}`);
    return await run(embedded.url);
  } finally {
    await embedded?.stop();
  }
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

let code: number;
switch (command) {
  case "migrate":
    code = await withDatabase((url) => runPrismaCli(["migrate", "deploy"], { databaseUrl: url, stdio: "inherit" }));
    break;
  case "status":
    code = await withDatabase((url) => runPrismaCli(["migrate", "status"], { databaseUrl: url, stdio: "inherit" }));
    break;
  case "seed":
    code = await withDatabase(runSeed);
    break;
  case "new": {
    const name = rest.find((arg) => !arg.startsWith("-"));
    if (!name) usage();
    if (!config.databaseUrl) {
      // `migrate dev` diffs against a shadow database, which needs a second connection PGlite cannot give.
      console.error("Authoring a migration needs a PostgreSQL server: set DATABASE_URL to a development database.");
      process.exit(2);
    }
    code = await runPrismaCli(["migrate", "dev", "--name", name, ...rest.filter((arg) => arg !== name)], {
      databaseUrl: config.databaseUrl,
      stdio: "inherit",
    });
    break;
  }
  default:
    usage();
}
process.exit(code);
