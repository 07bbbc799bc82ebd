import { z } from "zod";
import {
  deliverBriefingJob,
  deliverReminderJob,
  refreshSubscriptionJob,
  scanBriefingsJob,
  scanRemindersJob,
  scanSubscriptionsJob,
} from "~/calendar/jobs.server";
import { purgeDeletedImportRecords } from "~/calendar/events.server";
import { describeError, isDatabaseUnavailable } from "~/db/availability.server";
import { purgeImportReports } from "~/calendar/import-reports.server";
import { purgeKeptTexts } from "~/chat/kept-text.server";
import { normaliseMemoryKeysJob } from "~/memory/key-backfill.server";
import { summarizeIdleConversationJob } from "~/memory/idle-summary.server";
import { logger } from "~/observability/logger.server";
import { purgeEndedSessions } from "~/sessions/sessions.server";
import { defineJob, type JobDefinition, type JobSchedule } from "./define.server";
import type { StartupJob } from "./startup.server";

/**
 * Every background job ARES runs, in one place. A new job type is added here with its payload schema,
 * retry policy, timeout and dedup key; the worker, /admin/jobs and the metrics pick it up.
 */

/**
 * The hourly purge: deletes sessions that ended over a week ago, .ics import reports past their
 * hour (the page an import leads to needs them no longer), records of deleted imported events a year past their
 * last occurrence (docs/decisions/016), and message-box texts kept over a day. Idempotent: a second run finds nothing left.
 */
export const purgeSessionsJob = defineJob({
  name: "sessions.purge-ended",
  payload: z.object({}),
  retry: { limit: 3, delaySeconds: 30, maxDelaySeconds: 600 },
  timeoutSeconds: 120,
  singletonKey: () => "sessions.purge-ended",
  async handler(_payload, context) {
    // Each purge runs whatever the others do (one failing skipped those after it); the job fails after
    // all have run, if any did, so that it is retried.
    const purges: Array<[string, (now: Date, signal: AbortSignal) => Promise<number>]> = [
      ["ended sessions", purgeEndedSessions],
      ["old import reports", purgeImportReports],
      ["records of long-past deleted imported events", purgeDeletedImportRecords],
      ["old kept message-box texts", purgeKeptTexts],
    ];
    const failures: unknown[] = [];
    for (const [what, purge] of purges) {
      try {
        const purged = await purge(new Date(), context.signal);
        if (purged > 0) logger.info({ purged }, `purged ${what}`);
      } catch (error) {
        logger.warn({ err: error, purge: what }, "a purge failed; the others still ran");
        failures.push(error);
      }
      // Timed out: the purges left would only fail the same way.
      if (context.signal.aborted) break;
    }
    if (failures.length === 0) return;
    // A database outage fails every purge alike: its own error is thrown, so that it is still told from a
    // fault (error reports skip outages) and /admin/jobs shows why.
    if (failures.length === 1 || failures.every(isDatabaseUnavailable)) throw failures[0];
    throw new AggregateError(
      failures,
      `${failures.length} of ${purges.length} purges failed: ${failures.map(describeError).join("; ")}`,
    );
  },
});

/** Sent once each time ARES starts (startup.server.ts); each runs to its end once per version. */
export const STARTUP_JOBS: StartupJob[] = [normaliseMemoryKeysJob];

export const JOBS: JobDefinition[] = [
  purgeSessionsJob,
  summarizeIdleConversationJob,
  ...STARTUP_JOBS.map(({ job }) => job),
  scanRemindersJob,
  deliverReminderJob,
  scanBriefingsJob,
  deliverBriefingJob,
  scanSubscriptionsJob,
  refreshSubscriptionJob,
];

export const SCHEDULES: JobSchedule[] = [
  { job: purgeSessionsJob, cron: "17 * * * *", payload: {} },
  { job: scanRemindersJob, cron: "* * * * *", payload: {} },
  { job: scanBriefingsJob, cron: "* * * * *", payload: {} },
  { job: scanSubscriptionsJob, cron: "* * * * *", payload: {} },
];
