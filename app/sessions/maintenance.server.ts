import { setActiveSessionsProvider } from "~/observability/metrics.server";
import { logger } from "~/observability/logger.server";
import { countActiveSessions, purgeEndedSessions } from "./sessions.server";

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** Feeds the active-sessions gauge and purges long-ended sessions hourly. Returns a stop function. */
export function startSessionMaintenance(): () => void {
  setActiveSessionsProvider(() => countActiveSessions());
  const purge = async () => {
    const purged = await purgeEndedSessions();
    if (purged > 0) logger.info({ purged }, "purged ended sessions");
  };
  const timer = setInterval(() => {
    purge().catch((error: unknown) => logger.error({ err: error }, "purging ended sessions failed"));
  }, PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
