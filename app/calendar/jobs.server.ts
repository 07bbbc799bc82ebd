/** The calendar's background jobs: reminders, the morning briefing and subscription reads (registered in app/jobs/registry). */
import { z } from "zod";
import { defineJob } from "~/jobs/define.server";
import { sendJob } from "~/jobs/queue.server";
import { briefingsDue, deliverBriefing } from "./briefing.server";
import { deliverReminder, markScanned, remindersDue, scanStart } from "./reminders.server";
import { refreshSubscription, subscriptionsDue } from "./subscriptions.server";

/** Delivers one event reminder (once per reminder key, and only if the event still has it). */
export const deliverReminderJob = defineJob({
  name: "calendar.reminder",
  payload: z.object({
    userId: z.string(),
    eventId: z.string(),
    start: z.string(),
    offsetMinutes: z.number().int().nonnegative(),
    dedupKey: z.string(),
  }),
  retry: { limit: 5, delaySeconds: 10, maxDelaySeconds: 300 },
  // Longer than the Telegram copy can take (two waited-out 429s and a slow answer).
  timeoutSeconds: 150,
  singletonKey: (payload) => payload.dedupKey,
  async handler(payload) {
    await deliverReminder(payload);
  },
});

// Reminders due within the next minute are queued for their exact time; the scan runs every minute.
const REMINDER_PLAN_AHEAD_MS = 60_000;

/** Finds reminders coming due (or missed while ARES was down) and queues each one's delivery. */
export const scanRemindersJob = defineJob({
  name: "calendar.reminders-scan",
  payload: z.object({}),
  retry: { limit: 0, delaySeconds: 10, maxDelaySeconds: 10 },
  timeoutSeconds: 50,
  singletonKey: () => "calendar.reminders-scan",
  async handler() {
    const now = new Date();
    const due = await remindersDue(await scanStart(now), new Date(now.getTime() + REMINDER_PLAN_AHEAD_MS), now);
    for (const { at, ...reminder } of due) {
      await sendJob(deliverReminderJob, reminder, { startAfter: at > now ? at : undefined });
    }
    // Only once every due reminder is queued: a scan that fails is redone from the same place.
    await markScanned(now);
  },
});

/** Writes and announces one person's morning briefing for one local date. */
export const deliverBriefingJob = defineJob({
  name: "calendar.briefing",
  payload: z.object({ userId: z.string(), date: z.iso.date() }),
  retry: { limit: 3, delaySeconds: 30, maxDelaySeconds: 300 },
  timeoutSeconds: 180,
  singletonKey: (payload) => `${payload.userId}:${payload.date}`,
  async handler(payload) {
    await deliverBriefing(payload);
  },
});

/** Queues the briefings whose time has come. */
export const scanBriefingsJob = defineJob({
  name: "calendar.briefings-scan",
  payload: z.object({}),
  retry: { limit: 0, delaySeconds: 10, maxDelaySeconds: 10 },
  timeoutSeconds: 50,
  singletonKey: () => "calendar.briefings-scan",
  async handler() {
    for (const briefing of await briefingsDue()) await sendJob(deliverBriefingJob, briefing);
  },
});

/** Reads one subscribed calendar's feed and replaces its events (skipped if it was read meanwhile). */
export const refreshSubscriptionJob = defineJob({
  name: "calendar.subscription-refresh",
  payload: z.object({ subscriptionId: z.string() }),
  // A failed read is recorded on the subscription and retried at its next interval, not here.
  retry: { limit: 1, delaySeconds: 30, maxDelaySeconds: 30 },
  timeoutSeconds: 120,
  singletonKey: (payload) => payload.subscriptionId,
  async handler(payload) {
    await refreshSubscription(payload.subscriptionId, true);
  },
});

/** Queues a read of every subscription whose interval has passed. */
export const scanSubscriptionsJob = defineJob({
  name: "calendar.subscriptions-scan",
  payload: z.object({}),
  retry: { limit: 0, delaySeconds: 10, maxDelaySeconds: 10 },
  timeoutSeconds: 50,
  singletonKey: () => "calendar.subscriptions-scan",
  async handler() {
    for (const subscriptionId of await subscriptionsDue(new Date())) {
      await sendJob(refreshSubscriptionJob, { subscriptionId });
    }
  },
});
