/**
 * Serves the production build for the end-to-end suite, on a fresh database of its own: a new
 * PostgreSQL database when a server is reachable, else the embedded PGlite in a new folder. Auth0 sign-in goes to
 * the stand-in IdP (e2e/support/auth0-idp.ts), which runs in a parent process of the server; the model
 * providers and the Sentry ingest are stood in for in this process.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { buildIsStale, runBuild, serverEntry } from "../../scripts/build";
import { onServer, serverIsReachable, serverUrl, withDatabase } from "../../tests/support/postgres";
import { startStubLlm } from "../stand-ins/llm-server";
import { startStandInSentry } from "../stand-ins/sentry-server";
import { startStandInTelegram } from "../stand-ins/telegram-server";
import { isServerProcess, runServerWithStandInIdp } from "./auth0-idp";

// First run: start the stand-in Auth0, then this script again as the server, trusting the IdP's certificate.
if (!isServerProcess()) await runServerWithStandInIdp(import.meta.filename, process.env.E2E_PORT ?? "3900");

const root = path.resolve(import.meta.dirname, "../..");
const runId = `${Date.now().toString(36)}_${process.pid}`;

if (await serverIsReachable()) {
  const database = `ares_e2e_${runId}`;
  await onServer(async (client) => {
    // Leftovers of earlier runs; one still in use by a concurrent run is left alone.
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database d WHERE datname LIKE 'ares_e2e_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
    );
    // Another run's pool may be idle between specs (no row in pg_stat_activity): only databases made
    // hours ago are leftovers. The name starts with its run's start time (base 36).
    const isOld = (name: string) => Date.now() - parseInt(name.split("_")[2] ?? "", 36) > 6 * 60 * 60 * 1000;
    for (const { datname } of rows.filter((row) => isOld(row.datname))) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}"`);
    }
    await client.query(`CREATE DATABASE "${database}"`);
  });
  process.env.DATABASE_URL = withDatabase(serverUrl, database);
  // Parallel runs on one machine drop each other's leftovers when nobody is connected: the server's
  // pool can be idle for a while, so this run holds one connection for as long as it lives.
  const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
  // A dropped holder (PostgreSQL restarted) must not take the server down with an unhandled 'error'.
  holder.on("error", () => {});
  await holder.connect();
  // Specs that need an admin seed one straight into this database (e2e/support/admin.ts).
  fs.mkdirSync(path.join(root, ".e2e"), { recursive: true });
  fs.writeFileSync(path.join(root, ".e2e", `database-url-${process.env.E2E_PORT ?? "3900"}`), process.env.DATABASE_URL);
} else {
  const dataDir = path.join(root, ".e2e", runId);
  fs.mkdirSync(dataDir, { recursive: true });
  process.env.ARES_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
}

// The two model providers, stood in for in this process; specs steer them with per-message markers
// such as [[stub:fail=500,only=openrouter]] or [[stub:delay=80]].
const [openrouter, ollama] = await Promise.all([
  startStubLlm({ name: "openrouter", behaviour: { tokenDelayMs: 15 } }),
  startStubLlm({ name: "ollama", behaviour: { tokenDelayMs: 15 } }),
]);

// The Telegram Bot API, stood in for here too; specs write to the bot through its control endpoints
// (e2e/support/telegram.ts finds it by the file written below).
const telegram = await startStandInTelegram({ token: "4242:e2e-stand-in" });
// Error reporting is on, as on an instance that has a DSN: specs read what arrived from the stand-in's
// /__recorded list, at the address written next to the database URL (e2e/support/sentry.ts).
const sentry = await startStandInSentry();
fs.mkdirSync(path.join(root, ".e2e"), { recursive: true });
fs.writeFileSync(
  path.join(root, ".e2e", `telegram-url-${process.env.E2E_PORT ?? "3900"}`),
  `http://127.0.0.1:${telegram.port}`,
);
fs.writeFileSync(path.join(root, ".e2e", `sentry-url-${process.env.E2E_PORT ?? "3900"}`), sentry.url);
// Specs read what the primary model provider received (e2e/support/llm.ts).
fs.writeFileSync(path.join(root, ".e2e", `llm-url-${process.env.E2E_PORT ?? "3900"}`), openrouter.url);

Object.assign(process.env, {
  TELEGRAM_BOT_TOKEN: "4242:e2e-stand-in",
  TELEGRAM_API_BASE: telegram.apiBase,
  SENTRY_DSN: sentry.dsn(),
  SENTRY_BROWSER_DSN: sentry.dsn(),
  SENTRY_ENVIRONMENT: "e2e",
  OPENROUTER_API_KEY: "e2e-openrouter-key",
  OPENROUTER_BASE_URL: `${openrouter.url}/v1`,
  OPENROUTER_MODEL: "stub/small",
  OLLAMA_URL: ollama.url,
  OLLAMA_MODEL: "stub/large",
  LLM_PRIMARY_PROVIDER: "openrouter",
  CHAT_MESSAGES_PER_MINUTE: "0",
  NODE_ENV: "production",
  HOST: "127.0.0.1",
  PORT: process.env.E2E_PORT ?? "3900",
  SESSION_SECRET: "e2e-session-secret-that-is-long-enough-0123456789",
  INTERNAL_API_KEY: "e2e-internal-api-key-0123456789abcdef",
  // Every browser test comes from 127.0.0.1 and signs in often: no rate limits (they have integration tests).
  RATE_LIMIT_READ_PER_MINUTE: "0",
  RATE_LIMIT_WRITE_PER_MINUTE: "0",
  RATE_LIMIT_AUTH_PER_15_MINUTES: "0",
  LOG_PRETTY: "false",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  // Calendar subscriptions in specs read feeds served on 127.0.0.1 (this server's own feed links).
  CALENDAR_SUBSCRIPTION_ALLOW_PRIVATE: "true",
});

// The test build: the production build plus app/routes/test-only.* (scripts/build.ts --test).
if (buildIsStale(root, "test")) await runBuild(root, "test");
await import(pathToFileURL(serverEntry(root, "test")).href);
