/**
 * ARES's process entry: configuration → database (embedded PGlite unless DATABASE_URL is set) →
 * migrations → the Remix app on Express → graceful shutdown.
 */
import type { Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { ConfigError, parseConfig, type Config } from "~/config/env.server";

let config: Config;
try {
  config = parseConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // The logger needs a valid configuration, so this one message goes straight to stderr.
  process.stderr.write(`ARES cannot start. ${error.message}\nSee .env.example for every variable.\n`);
  process.exit(1);
}

const root = path.dirname(new URL(import.meta.url).pathname);
const { logger } = await import("~/observability/logger.server");
const startedAt = performance.now();

let stopEmbedded: (() => Promise<void>) | undefined;
if (!config.databaseUrl) {
  const { startEmbeddedDatabase } = await import("~/db/embedded.server");
  const embedded = await startEmbeddedDatabase(config.dataDir);
  stopEmbedded = embedded.stop;
  process.env.DATABASE_URL = embedded.url;
  process.env.ARES_EMBEDDED_DB = "1";
  logger.info({ dataDir: config.dataDir }, "using the embedded database (set DATABASE_URL to use PostgreSQL)");
}
const databaseUrl = process.env.DATABASE_URL!;

if (!config.skipMigrations) {
  const { applyPendingMigrations } = await import("~/db/migrations.server");
  const { applied } = await applyPendingMigrations(databaseUrl, Boolean(stopEmbedded));
  if (applied.length > 0) logger.info({ applied }, "applied database migrations");
}

const jobs = await import("~/jobs/worker.server");
jobs.startBackgroundJobs(); // in the background: pg-boss installs its schema, retried while the database is down

const { createHttpApp } = await import("~/http/express.server");
let app;
if (config.mode === "development") {
  const vite = await import("vite").then((module) => module.createServer({ server: { middlewareMode: true } }));
  app = createHttpApp({
    config,
    vite,
    build: () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>,
  });
} else {
  const serverEntry = path.join(root, "build/server/index.js");
  if (config.mode !== "production") {
    const { buildIsStale, runBuild } = await import("~/http/build.server");
    if (buildIsStale(root, serverEntry)) {
      logger.info("building ARES (first start or sources changed)…");
      await runBuild(root);
    }
  }
  // A non-literal specifier keeps tsc from type-checking the bundle.
  const build = (await import(pathToFileURL(serverEntry).href)) as ServerBuild;
  app = createHttpApp({ config, build, clientDir: path.join(root, "build/client") });
}

const { startSessionMaintenance } = await import("~/sessions/maintenance.server");
const stopMaintenance = startSessionMaintenance();

const server: Server = app.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info(
    {
      url: `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}`,
      readyInMs: Math.round(performance.now() - startedAt),
    },
    "ARES is ready",
  );
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down: finishing in-flight requests");
  const jobsStopped = jobs.stopBackgroundJobs(config.shutdownGraceMs); // stops fetching now, drains running jobs
  const forced = setTimeout(() => {
    logger.warn("in-flight requests did not finish in time; closing their connections");
    server.closeAllConnections();
  }, config.shutdownGraceMs);
  forced.unref();
  server.closeIdleConnections();
  const shutdownStarted = Date.now();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearTimeout(forced);
  stopMaintenance();
  // Replies being written for no-JS readers have no open connection to wait on: wait for them here.
  const { waitForGenerations } = await import("~/chat/stream-bus.server");
  await waitForGenerations(Math.max(0, config.shutdownGraceMs - (Date.now() - shutdownStarted)));
  await jobsStopped;
  const { closeDb } = await import("~/db/db.server");
  const { closeRedis } = await import("~/redis/redis.server");
  await Promise.all([closeDb(), closeRedis()]);
  await stopEmbedded?.();
  logger.info("stopped");
  logger.flush();
  process.exit(0);
}
// Remix's Vite child compiler installs its own SIGTERM handler that exits at once.
process.removeAllListeners("SIGTERM");
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
