import { setActiveSessionsProvider } from "~/observability/metrics.server";
import { countActiveSessions } from "./sessions.server";

/**
 * Feeds the active-sessions gauge. Purging ended sessions is a scheduled background job
 * (`sessions.purge-ended` in app/jobs/registry.server.ts). Returns a stop function.
 */
export function startSessionMaintenance(): () => void {
  setActiveSessionsProvider(() => countActiveSessions());
  return () => setActiveSessionsProvider(() => 0);
}
