import { randomUUID } from "node:crypto";
import { z } from "zod";
import { prisma } from "~/db/db.server";
import { logger } from "~/observability/logger.server";
import { type RefreshReport, replaceSubscriptionEvents } from "./events.server";
import {
  ICalendarError,
  TooManyEventsError,
  UNREADABLE_ICALENDAR_MESSAGE,
  causeForLog,
  fromICalendar,
} from "./ical.server";
import { MAX_IMPORT_EVENTS } from "./import-limits";
import { SubscriptionFetchError, acceptedFeedUrl, feedUrlForDisplay, fetchFeed } from "./subscription-fetch.server";

const log = logger.child({ domain: "calendar" });

/** A subscription that does not exist or belongs to someone else: the two are indistinguishable. */
export class SubscriptionNotFoundError extends Error {
  constructor() {
    super("Subscription not found");
    this.name = "SubscriptionNotFoundError";
  }
}

const reportSchema = z.object({
  created: z.number(),
  updated: z.number(),
  removed: z.number(),
  skipped: z.array(z.object({ title: z.string(), reason: z.string() })),
});

const select = {
  id: true,
  name: true,
  url: true,
  refreshMinutes: true,
  nextRefreshAt: true,
  lastAttemptAt: true,
  lastSuccessAt: true,
  lastError: true,
  lastReport: true,
  _count: { select: { events: { where: { seriesId: null } } } },
} as const;

export type Subscription = {
  id: string;
  name: string;
  /** As pages show it: without the user:password some feed URLs carry (the stored one keeps them). */
  url: string;
  refreshMinutes: number;
  nextRefreshAt: Date;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastReport: RefreshReport | null;
  events: number;
};

function toSubscription(row: {
  id: string;
  name: string;
  url: string;
  refreshMinutes: number;
  nextRefreshAt: Date;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastReport: unknown;
  _count: { events: number };
}): Subscription {
  const report = reportSchema.safeParse(row.lastReport);
  const { _count, ...rest } = row;
  return {
    ...rest,
    url: feedUrlForDisplay(rest.url),
    lastReport: report.success ? report.data : null,
    events: _count.events,
  };
}

export async function listSubscriptions(userId: string): Promise<Subscription[]> {
  const rows = await prisma.calendarSubscription.findMany({
    where: { userId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select,
  });
  return rows.map(toSubscription);
}

export async function getSubscription(userId: string, id: string): Promise<Subscription> {
  const row = await prisma.calendarSubscription.findFirst({ where: { id, userId }, select });
  if (!row) throw new SubscriptionNotFoundError();
  return toSubscription(row);
}

export type SubscriptionInput = { name: string; url: string; refreshMinutes: number };

export type RefreshOutcome = { ok: true; report: RefreshReport } | { ok: false; error: string };

/**
 * Subscribes to a feed, reading it first: a feed that cannot be fetched or read is refused with why
 * (SubscriptionFetchError) and nothing is stored, rather than a subscription left without events that
 * only its page says failed. The subscription and its events are stored together (one transaction).
 */
export async function createSubscription(userId: string, input: SubscriptionInput): Promise<{ id: string }> {
  const url = await acceptedFeedUrl(input.url);
  const { timeZone } = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { timeZone: true } });
  let parsed: ReturnType<typeof fromICalendar>;
  try {
    parsed = fromICalendar(await fetchFeed(url), timeZone);
  } catch (error) {
    if (!isFeedFailure(error)) throw error;
    const message = failureMessage(error);
    log.info(
      { reason: message, ...(error.cause ? { cause: causeForLog(error.cause) } : {}) },
      "calendar subscription first read failed: nothing stored",
    );
    throw new SubscriptionFetchError(message);
  }
  const id = randomUUID();
  const readAt = new Date();
  const report = await replaceSubscriptionEvents(userId, id, parsed, (tx) =>
    tx.calendarSubscription.create({
      data: {
        id,
        userId,
        name: input.name,
        url,
        refreshMinutes: input.refreshMinutes,
        lastAttemptAt: readAt,
        lastSuccessAt: readAt,
        nextRefreshAt: new Date(readAt.getTime() + input.refreshMinutes * 60_000),
      },
      select: { id: true },
    }),
  );
  await prisma.calendarSubscription.updateMany({ where: { id }, data: { lastReport: report } });
  return { id };
}

const isFeedFailure = (error: unknown): error is SubscriptionFetchError | ICalendarError =>
  error instanceof SubscriptionFetchError || error instanceof ICalendarError;

/** Why a feed could not be used, in the words its page and the subscribe form say. */
function failureMessage(error: SubscriptionFetchError | ICalendarError): string {
  if (error instanceof TooManyEventsError)
    return `The feed has ${error.count.toLocaleString("en-GB")} events; ARES reads feeds of at most ${MAX_IMPORT_EVENTS.toLocaleString("en-GB")}.`;
  if (error instanceof ICalendarError)
    return error.message === UNREADABLE_ICALENDAR_MESSAGE
      ? "The feed is not a calendar (.ics), or it is damaged: it could not be read."
      : `The feed is not a usable calendar. ${error.message}`;
  return error.message;
}

/** Renames a subscription or changes how often it is read (the next read moves accordingly). */
export async function updateSubscription(
  userId: string,
  id: string,
  input: Omit<SubscriptionInput, "url">,
): Promise<void> {
  const current = await getSubscription(userId, id);
  const base = current.lastAttemptAt ?? new Date();
  // updateMany: a subscription deleted meanwhile (another tab) is simply not found.
  const { count } = await prisma.calendarSubscription.updateMany({
    where: { id, userId },
    data: {
      name: input.name,
      refreshMinutes: input.refreshMinutes,
      nextRefreshAt: new Date(base.getTime() + input.refreshMinutes * 60_000),
    },
  });
  if (count === 0) throw new SubscriptionNotFoundError();
}

/** Unsubscribes: the subscription and every event it brought go (ON DELETE CASCADE). */
export async function deleteSubscription(userId: string, id: string): Promise<void> {
  const { count } = await prisma.calendarSubscription.deleteMany({ where: { id, userId } });
  if (count === 0) throw new SubscriptionNotFoundError();
}

/** How soon "Refresh now" may be pressed again on one subscription. */
export const MANUAL_REFRESH_INTERVAL_MS = 60_000;

/**
 * Reads my subscription on my request ("Refresh now"), at most once per MANUAL_REFRESH_INTERVAL_MS:
 * each press fetches someone else's server. The press is claimed in the row (one UPDATE whose condition
 * is the interval), so two presses at once, or in two processes, cannot both fetch.
 */
export async function refreshMySubscription(
  userId: string,
  id: string,
  now = new Date(),
): Promise<RefreshOutcome | { ok: false; retryAfterSeconds: number }> {
  const current = await prisma.calendarSubscription.findFirst({
    where: { id, userId },
    select: { refreshRequestedAt: true },
  });
  if (!current) throw new SubscriptionNotFoundError();
  const since = new Date(now.getTime() - MANUAL_REFRESH_INTERVAL_MS);
  const { count } = await prisma.calendarSubscription.updateMany({
    where: { id, userId, OR: [{ refreshRequestedAt: null }, { refreshRequestedAt: { lte: since } }] },
    data: { refreshRequestedAt: now },
  });
  if (count === 0) {
    const last = current.refreshRequestedAt ?? now;
    const waitMs = last.getTime() + MANUAL_REFRESH_INTERVAL_MS - now.getTime();
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
  return refreshMine(id);
}

async function refreshMine(id: string): Promise<RefreshOutcome> {
  // Null only if it was unsubscribed in between (another tab): the same as never having had it.
  const outcome = await refreshSubscription(id);
  if (!outcome) throw new SubscriptionNotFoundError();
  return outcome;
}

/**
 * Reads a subscription's feed and replaces its events (all or nothing). A feed that cannot be fetched
 * or read leaves the events as they were and records why; either way the next read is scheduled one
 * interval on. `onlyIfDue` (the scheduled read): nothing happens if it was read meanwhile.
 */
export async function refreshSubscription(id: string, onlyIfDue = false): Promise<RefreshOutcome | null> {
  const subscription = await prisma.calendarSubscription.findFirst({
    where: { id, ...(onlyIfDue ? { nextRefreshAt: { lte: new Date() } } : {}) },
    select: { id: true, userId: true, url: true, refreshMinutes: true, user: { select: { timeZone: true } } },
  });
  if (!subscription) return null;
  const attemptAt = new Date();
  const schedule = {
    lastAttemptAt: attemptAt,
    nextRefreshAt: new Date(attemptAt.getTime() + subscription.refreshMinutes * 60_000),
  };
  try {
    const parsed = fromICalendar(await fetchFeed(subscription.url), subscription.user.timeZone);
    const report = await replaceSubscriptionEvents(subscription.userId, id, parsed, (tx) =>
      tx.calendarSubscription.update({
        where: { id },
        data: { ...schedule, lastSuccessAt: attemptAt, lastError: null },
        select: { id: true },
      }),
    );
    await prisma.calendarSubscription.updateMany({ where: { id }, data: { lastReport: report } });
    return { ok: true, report };
  } catch (error) {
    if (!isFeedFailure(error)) throw error;
    const message = failureMessage(error);
    log.info(
      { subscriptionId: id, reason: message, ...(error.cause ? { cause: causeForLog(error.cause) } : {}) },
      "calendar subscription refresh failed",
    );
    await prisma.calendarSubscription.updateMany({ where: { id }, data: { ...schedule, lastError: message } });
    return { ok: false, error: message };
  }
}

/** Subscriptions whose next read is due, oldest first. */
export async function subscriptionsDue(now: Date, limit = 100): Promise<string[]> {
  const rows = await prisma.calendarSubscription.findMany({
    where: { nextRefreshAt: { lte: now } },
    orderBy: { nextRefreshAt: "asc" },
    take: limit,
    select: { id: true },
  });
  return rows.map((row) => row.id);
}
