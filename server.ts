/**
 * ARES's process entry: configuration → database (embedded PGlite unless DATABASE_URL is set) →
 * migrations → Redis, when set → the Remix app on Express → draining and graceful shutdown.
 *
 * scripts/build.ts compiles this file alone to build/server.js, which production runs with plain
 * `node`. It imports nothing from app/: the app, its Express middleware, database and shutdown hooks
 * come from the Remix server bundle (app/http/runtime.server.ts, exported by entry.server.tsx), so the
 * process evaluates each app module once — one configuration, one Prisma client, one pool.
 */
import type { Server } from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import type { ViteDevServer } from "vite";
import type { ServerRuntime } from "~/http/runtime.server";

type AresBuild = ServerBuild & { entry: { module: { serverRuntime: ServerRuntime } } };

const startedAt = performance.now();
const buildDir = path.dirname(fileURLToPath(import.meta.url));
const SERVER_BUILD_ID = "virtual:remix/server-build";

let vite: ViteDevServer | undefined;
let build: AresBuild;
let runtime: ServerRuntime;
try {
  if (process.env.NODE_ENV === "development") {
    const devServer = await import("vite").then((module) => module.createServer({ server: { middlewareMode: true } }));
    vite = devServer;
    build = (await devServer.ssrLoadModule(SERVER_BUILD_ID)) as AresBuild;
  } else {
    // A non-literal specifier: the bundle is loaded at run time, never compiled into this file.
    build = (await import(pathToFileURL(path.join(buildDir, "server/index.js")).href)) as AresBuild;
  }
  runtime = build.entry.module.serverRuntime;
  runtime.config();
} catch (error) {
  // The bundle's own ConfigError class: identified by name, since this file must not import app/.
  if (!(error instanceof Error && error.name === "ConfigError")) throw error;
  // The logger needs a valid configuration, so this one message goes straight to stderr.
  process.stderr.write(`ARES cannot start. ${error.message}\nSee .env.example for every variable.\n`);
  await vite?.close();
  process.exit(1);
}

const config = runtime.config();
const { logger } = runtime;
// Before anything else can fail; with no SENTRY_DSN the SDK is not even loaded.
await runtime.startErrorReporting();
// Failure is a state, not a crash: an unhandled rejection is logged and counted, and the process stays up.
runtime.logUnhandledRejections();

let stopEmbedded: (() => Promise<void>) | undefined;
if (!config.databaseUrl) {
  const embedded = await runtime.startEmbeddedDatabase(config.dataDir);
  stopEmbedded = embedded.stop;
  process.env.DATABASE_URL = embedded.url;
  process.env.ARES_EMBEDDED_DB = "1";
  logger.info({ dataDir: config.dataDir }, "using the embedded database (set DATABASE_URL to use PostgreSQL)");
}
const databaseUrl = process.env.DATABASE_URL!;

if (!config.skipMigrations) {
  const { applied } = await runtime.applyPendingMigrations(databaseUrl, Boolean(stopEmbedded));
  if (applied.length > 0) logger.info({ applied }, "applied database migrations");
}

// In the background: pg-boss installs its schema, retried while the database is down.
runtime.startBackgroundJobs();

const devServer = vite;
const app = devServer
  ? runtime.createHttpApp({
      config,
      vite: devServer,
      build: () => devServer.ssrLoadModule(SERVER_BUILD_ID) as Promise<ServerBuild>,
    })
  : runtime.createHttpApp({ config, build, clientDir: path.join(buildDir, "client") });

const stopSessionMaintenance = runtime.startSessionMaintenance();
// Settles replies abandoned by a stopped process, now and periodically, and heartbeats our own.
const stopReplyMaintenance = runtime.startReplyMaintenance();
// Lets V8 return freed heap to the system when the process goes quiet (Node 24 never decides it has).
const stopMemoryReducerNudge = runtime.startMemoryReducerNudge();
const stopMaintenance = () => (stopSessionMaintenance(), stopReplyMaintenance(), stopMemoryReducerNudge());
runtime.startTelegram();

// Like the database above, Redis is connected before the server listens, so the first health check
// does not find a Redis that is up still connecting and call it down (bounded: a Redis that is down
// delays nothing, and is reported down).
if ((await runtime.connectRedis()) === "unreachable") {
  logger.warn("Redis did not answer at start: serving without it (rate limits fail open) until it does");
}

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

/**
 * Everything that matters is stored before these steps; one that hangs (a pool waiting for a client that
 * is never given back) must not keep the process from stopping: it is named in the log and passed.
 */
const STEP_LIMIT_MS = 10_000;
async function bounded(step: Promise<unknown>, limitMs: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      logger.warn({ step: what, limitMs }, "a shutdown step did not finish in time; stopping anyway");
      resolve();
    }, limitMs);
  });
  await Promise.race([step.then(() => undefined), late]);
  clearTimeout(timer);
}

/** The settle run early, when the grace period runs out with replies still streamed to readers, is short. */
const EARLY_SETTLE_LIMIT_MS = 2_000;
/** Aborted replies' own last writes (usage, stored prompt) and their Telegram relays, after the settle. */
const AFTER_SETTLE_LIMIT_MS = 2_000;

let settling: Promise<unknown> = Promise.resolve();
/**
 * Whatever this process is still writing is stored as aborted, text kept, and its readers told. The early
 * settle (grace period over) and the main flow's run one after the other, never overlapping, and the later
 * one still finds a reply begun after the earlier one (a slow action, a Telegram update stuck past its limit).
 */
function settleReplies(): Promise<unknown> {
  settling = settling.then(() =>
    runtime
      .settleLocalReplies()
      .catch((error: unknown) => logger.warn({ err: error }, "could not settle unfinished replies")),
  );
  return settling;
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Readiness answers 503 from now on, responses close their connection, and no new reply starts.
  runtime.startDraining();
  logger.info({ signal }, "shutting down: finishing in-flight requests");
  const jobsStopped = runtime.stopBackgroundJobs(config.shutdownGraceMs); // stops fetching now, drains running jobs
  // The poller stops taking updates now too: one taken while draining would start a reply cut at exit
  // (or begun after the replies are settled, left `streaming`); left with Telegram, the next process answers it.
  const pollerStopped = runtime.stopTelegramPoller(config.shutdownGraceMs);
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  const forced = setTimeout(() => {
    logger.warn("in-flight requests did not finish in time; closing their connections");
    // Replies still streamed to a reader are stored as aborted first, which sends their `done`: the
    // reader sees the reply end, not a connection cut mid-chunk. Their connections then close on their
    // own (draining): up to a second for that, so the `done` is flushed before any connection is cut.
    void bounded(settleReplies(), EARLY_SETTLE_LIMIT_MS, "settling unfinished replies")
      .then(() => bounded(serverClosed, 1_000, "closing the last connections"))
      .then(() => server.closeAllConnections());
  }, config.shutdownGraceMs);
  forced.unref();
  server.closeIdleConnections();
  const shutdownStarted = Date.now();
  await serverClosed;
  clearTimeout(forced);
  stopMaintenance();
  // Before the settle: an update being handled could otherwise start a reply after it, left `streaming`.
  await bounded(pollerStopped, config.shutdownGraceMs + STEP_LIMIT_MS, "stopping the Telegram poller");
  // Replies being written for no-JS readers have no open connection to wait on: wait for them here.
  await runtime.waitForGenerations(Math.max(0, config.shutdownGraceMs - (Date.now() - shutdownStarted)));
  // Whatever is still being written after the grace period is stored as aborted, text kept.
  await bounded(settleReplies(), STEP_LIMIT_MS, "settling unfinished replies");
  // The aborted replies end their own writes (usage, stored prompt) before the pool closes, and their
  // Telegram relays show the final text.
  await Promise.all([
    runtime.waitForGenerations(AFTER_SETTLE_LIMIT_MS),
    runtime.waitForTelegramRelays(AFTER_SETTLE_LIMIT_MS),
  ]);
  await bounded(jobsStopped, STEP_LIMIT_MS, "stopping the job worker");
  await bounded(Promise.all([runtime.closeDb(), runtime.closeRedis()]), STEP_LIMIT_MS, "closing connections");
  await stopEmbedded?.();
  await devServer?.close();
  await runtime.flushErrorReports(2_000);
  // Last in the log, after every line before it (see logStopped).
  await runtime.logStopped();
  process.exit(0);
}
// Vite's dev server installs its own SIGTERM handler that exits at once.
process.removeAllListeners("SIGTERM");
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
