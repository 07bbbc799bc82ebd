/**
 * What the process entry (server.ts) needs from the app, exported through the Remix server build
 * (app/entry.server.tsx) so that the entry and the routes share ONE module graph: one configuration,
 * one logger, one Prisma client and one pool. server.ts imports nothing from app/ itself.
 */
import { closeDb } from "~/db/db.server";
import { startEmbeddedDatabase } from "~/db/embedded.server";
import { applyPendingMigrations } from "~/db/migrations.server";
import { settleLocalReplies, startReplyMaintenance } from "~/chat/reply-maintenance.server";
import { waitForGenerations } from "~/chat/stream-bus.server";
import { config } from "~/config/env.server";
import { startBackgroundJobs, stopBackgroundJobs } from "~/jobs/worker.server";
import { flushErrorReports, startErrorReporting } from "~/observability/error-reporting.server";
import { logger, logStopped } from "~/observability/logger.server";
import { startMemoryReducerNudge } from "~/observability/memory-reducer.server";
import { logUnhandledRejections } from "~/observability/process-failures.server";
import { closeRedis, connectRedis } from "~/redis/redis.server";
import { startSessionMaintenance } from "~/sessions/maintenance.server";
import { startTelegram, stopTelegramPoller, waitForTelegramRelays } from "~/telegram/bot.server";
import { createHttpApp } from "./express.server";
import { startDraining } from "./draining.server";

export const serverRuntime = {
  config,
  logger,
  logStopped,
  startErrorReporting,
  flushErrorReports,
  startEmbeddedDatabase,
  applyPendingMigrations,
  createHttpApp,
  startSessionMaintenance,
  startReplyMaintenance,
  settleLocalReplies,
  logUnhandledRejections,
  startMemoryReducerNudge,
  startDraining,
  waitForGenerations,
  startTelegram,
  startBackgroundJobs,
  stopBackgroundJobs,
  stopTelegramPoller,
  waitForTelegramRelays,
  closeDb,
  connectRedis,
  closeRedis,
};

export type ServerRuntime = typeof serverRuntime;
