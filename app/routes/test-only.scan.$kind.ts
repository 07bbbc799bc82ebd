import type { ActionFunctionArgs } from "@remix-run/node";
import { scanBriefingsJob, scanRemindersJob, scanSubscriptionsJob } from "~/calendar/jobs.server";
import { sendJob } from "~/jobs/queue.server";
import { purgeSessionsJob } from "~/jobs/registry.server";

/**
 * Exists only in the test build (scripts/build.ts --test; the production build leaves test-only.* out):
 * queues the minute's reminder, briefing or subscription scan (or the hour's purge of ended sessions) now, as
 * its cron schedule would, so tests need not wait for the clock.
 */
export async function action({ params }: ActionFunctionArgs) {
  const jobs = {
    reminders: scanRemindersJob,
    briefings: scanBriefingsJob,
    subscriptions: scanSubscriptionsJob,
    sessions: purgeSessionsJob,
  };
  const job = Object.hasOwn(jobs, params.kind ?? "") ? jobs[params.kind as keyof typeof jobs] : null;
  // A reason of its own (the error page shows it, a POST's is never replaced by the page wording).
  if (!job) throw new Response("There is no such scan.", { status: 404 });
  return Response.json({ id: await sendJob(job, {}) });
}

export function loader() {
  throw new Response("Scans are queued with POST.", { status: 404 });
}
