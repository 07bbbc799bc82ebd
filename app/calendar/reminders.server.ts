/**
 * Event reminders. A scan every minute finds the reminders coming due (expanded occurrences, in the
 * owner's zone, so a series reminds before each occurrence and all-day events follow the person's
 * day) and queues one delivery job per reminder at its exact time; the delivery checks the event
 * still holds that occurrence and reminder, then notifies once per reminder key. Each scan starts where
 * the last one did (a stored mark), so a reminder that came due while no ARES process ran is delivered
 * when one is back — as long as its occurrence has not ended, and up to a day late.
 */
import { prisma } from "~/db/db.server";
import { notify } from "~/notifications/notifications.server";
import { listOccurrences, recordSelect } from "./events.server";
import { expandOccurrences, type EventRecord, type Occurrence } from "./occurrences";
import { Temporal } from "./time";
import { occurrenceHref } from "./occurrence-item";

/** The furthest back a scan looks, after an outage (or the first scan ever: FIRST_SCAN_MS). */
export const REMINDER_LOOKBACK_MS = 24 * 3600_000;
const FIRST_SCAN_MS = 10 * 60_000;
/** Scans overlap by this much, so a reminder at a scan's very edge is never between two of them. */
const SCAN_OVERLAP_MS = 5_000;
const SCAN_MARK = "calendar.reminders";
/** The largest reminder offset a form accepts (four weeks), in minutes. */
const MAX_OFFSET_MINUTES = 40_320;

export type DueReminder = {
  userId: string;
  eventId: string;
  /** The occurrence's start instant (ISO 8601, UTC). */
  start: string;
  offsetMinutes: number;
  /** When the reminder is due. */
  at: Date;
  dedupKey: string;
};

/**
 * One key per event, occurrence and offset. A floating occurrence (all-day, or without a zone) is keyed
 * by its wall-clock start: its instant moves with the person's zone, and a zone change must not remind
 * again. A moved occurrence gets a new key, so it reminds at its new time.
 */
function reminderKey(eventId: string, occurrence: Occurrence, offsetMinutes: number): string {
  const start = occurrence.timeZone
    ? occurrence.start.toInstant().toString()
    : occurrence.start.toPlainDateTime().toString({ smallestUnit: "minute" });
  return `reminder:${eventId}:${start}:${offsetMinutes}`;
}

/** Where the next scan starts: the last scan's start (less a little overlap), at most a day back. */
export async function scanStart(now: Date): Promise<Date> {
  const mark = await prisma.scanMark.findUnique({ where: { name: SCAN_MARK }, select: { at: true } });
  const earliest = now.getTime() - REMINDER_LOOKBACK_MS;
  const from = mark ? mark.at.getTime() - SCAN_OVERLAP_MS : now.getTime() - FIRST_SCAN_MS;
  return new Date(Math.max(earliest, Math.min(from, now.getTime())));
}

/** Records that every reminder due up to `at` has been queued. */
export async function markScanned(at: Date): Promise<void> {
  await prisma.scanMark.upsert({ where: { name: SCAN_MARK }, create: { name: SCAN_MARK, at }, update: { at } });
}

type ReminderRow = EventRecord & { userId: string; reminders: number[]; user: { timeZone: string } };

const reminderSelect = {
  ...recordSelect,
  userId: true,
  reminders: true,
  user: { select: { timeZone: true } },
} as const;

/** Reminders of every person falling due in (from, to], for occurrences that have not ended by `now`. */
export async function remindersDue(from: Date, to: Date, now: Date): Promise<DueReminder[]> {
  const horizon = new Date(to.getTime() + MAX_OFFSET_MINUTES * 60_000);
  // Events with reminders, and the overrides of series with reminders (an overridden occurrence must
  // not be reminded of at its old time).
  const rows: ReminderRow[] = await prisma.event.findMany({
    where: {
      user: { disabledAt: null },
      rangeStart: { lt: horizon },
      OR: [{ rangeEnd: null }, { rangeEnd: { gt: from } }],
      AND: [{ OR: [{ reminders: { isEmpty: false } }, { series: { reminders: { isEmpty: false } } }] }],
    },
    select: reminderSelect,
  });
  const byUser = new Map<string, ReminderRow[]>();
  for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);

  const due: DueReminder[] = [];
  for (const [userId, events] of byUser) {
    // Each person's occurrences only as far ahead as their largest reminder reaches.
    const reach = Math.max(...events.map((event) => Math.max(0, ...event.reminders)));
    const window = {
      start: Temporal.Instant.fromEpochMilliseconds(from.getTime()),
      end: Temporal.Instant.fromEpochMilliseconds(to.getTime() + reach * 60_000 + 1),
    };
    const byId = new Map(events.map((event) => [event.id, event]));
    for (const occurrence of expandOccurrences(events, window, events[0]!.user.timeZone)) {
      if (occurrence.end.epochMilliseconds <= now.getTime()) continue;
      const row = byId.get(occurrence.eventId);
      if (!row) continue;
      const start = occurrence.start.toInstant().toString();
      for (const offsetMinutes of row.reminders) {
        const at = new Date(occurrence.start.epochMilliseconds - offsetMinutes * 60_000);
        if (at <= from || at > to) continue;
        due.push({
          userId,
          eventId: row.id,
          start,
          offsetMinutes,
          at,
          dedupKey: reminderKey(row.id, occurrence, offsetMinutes),
        });
      }
    }
    // Expansion is CPU work: let requests in between people.
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Already delivered ones (the lookback sees them again every minute) are left out.
  const delivered = new Set(
    (
      await prisma.notification.findMany({
        where: { dedupKey: { in: due.map((reminder) => reminder.dedupKey) } },
        select: { dedupKey: true },
      })
    ).map((row) => row.dedupKey),
  );
  return due.filter((reminder) => !delivered.has(reminder.dedupKey));
}

function describe(occurrence: Occurrence, offsetMinutes: number): { title: string; body: string } {
  const time = (value: Temporal.ZonedDateTime) => value.toPlainTime().toString({ smallestUnit: "minute" });
  const lead =
    offsetMinutes === 0
      ? "now"
      : offsetMinutes % 1440 === 0
        ? `in ${offsetMinutes / 1440} day${offsetMinutes === 1440 ? "" : "s"}`
        : offsetMinutes % 60 === 0
          ? `in ${offsetMinutes / 60} hour${offsetMinutes === 60 ? "" : "s"}`
          : `in ${offsetMinutes} minute${offsetMinutes === 1 ? "" : "s"}`;
  const day = occurrence.start
    .toPlainDate()
    .toLocaleString("en-GB", { weekday: "long", day: "numeric", month: "long" });
  const when = occurrence.allDay ? `${day}, all day` : `${day}, ${time(occurrence.start)}–${time(occurrence.end)}`;
  const where = occurrence.location ? ` · ${occurrence.location}` : "";
  return { title: `${occurrence.title} — starts ${lead}`, body: `${when}${where}` };
}

/**
 * Delivers one reminder if its event still has that occurrence and that reminder (it may have been
 * edited or deleted since it was queued). Idempotent: the notification's key makes a second run a no-op.
 */
export async function deliverReminder(reminder: Omit<DueReminder, "at">): Promise<"delivered" | "gone"> {
  const row = await prisma.event.findFirst({
    where: { id: reminder.eventId, userId: reminder.userId },
    select: { reminders: true, user: { select: { timeZone: true } } },
  });
  if (!row || !row.reminders.includes(reminder.offsetMinutes)) return "gone";
  const start = Temporal.Instant.from(reminder.start);
  const occurrences = await listOccurrences(
    reminder.userId,
    { start, end: start.add({ seconds: 1 }) },
    row.user.timeZone,
  );
  const occurrence = occurrences.find(
    (candidate) =>
      candidate.eventId === reminder.eventId && candidate.start.epochMilliseconds === start.epochMilliseconds,
  );
  if (!occurrence) return "gone";
  await notify({
    userId: reminder.userId,
    kind: "reminder",
    ...describe(occurrence, reminder.offsetMinutes),
    link: occurrenceHref(occurrence),
    dedupKey: reminder.dedupKey,
  });
  return "delivered";
}
