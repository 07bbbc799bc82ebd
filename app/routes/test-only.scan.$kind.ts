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
  if (!job) throw new Response("Not found", { status: 404 });
  return Response.json({ id: await sendJob(job, {}) });
}

export function loader() {
  throw new Response("Not found", { status: 404 });
}
