/**
 * A person's days in plain words, for places that are not the calendar page: the Telegram `/today`
 * command now, the assistant's prompt and the morning briefing later. Occurrences are expanded (a
 * series shows as its occurrences, never as its first event) and written in the person's zone.
 */
import { prisma } from "~/db/db.server";
import { listOccurrences } from "./events.server";
import type { Occurrence } from "./occurrences";
import { Temporal, todayIn } from "./time";

const time = (at: Temporal.ZonedDateTime) => at.toPlainTime().toString({ smallestUnit: "minute" });
/** "Fri 4 Dec" */
const shortDate = (date: Temporal.PlainDate) =>
  date.toLocaleString("en-GB", { weekday: "short", day: "numeric", month: "short" });
/** "Fri 4 Dec 02:45" */
const dated = (at: Temporal.ZonedDateTime) => `${shortDate(at.toPlainDate())} ${time(at)}`;

/**
 * An occurrence as `day` sees it: its times that day, or for a span over several days where it starts
 * and ends — a 01:30 event that ends three days later at 01:45 is not a 15-minute event on each of them.
 */
function describe(occurrence: Occurrence, day: Temporal.PlainDate): string {
  const { start, end } = occurrence;
  const startsBefore = Temporal.PlainDate.compare(start.toPlainDate(), day) < 0;
  // Ends are exclusive: an end at the next midnight (all day: the next date) is still within this day.
  const endsAfter = Temporal.PlainDate.compare(end.subtract({ nanoseconds: 1 }).toPlainDate(), day) > 0;
  let when: string;
  if (occurrence.allDay) {
    when =
      startsBefore || endsAfter ? `all day (until ${shortDate(end.toPlainDate().subtract({ days: 1 }))})` : "all day";
  } else if (startsBefore && endsAfter) {
    when = `all day (continues from ${dated(start)} until ${dated(end)})`;
  } else if (startsBefore) {
    when = `until ${time(end)} (continues from ${dated(start)})`;
  } else if (endsAfter) {
    when = `from ${time(start)} (continues until ${dated(end)})`;
  } else {
    when = `${time(start)}–${time(end)}`;
  }
  const where = occurrence.location ? ` (${occurrence.location})` : "";
  return `${when} ${occurrence.title}${where}`;
}

export type Day = { date: Temporal.PlainDate; timeZone: string; lines: string[] };

/**
 * A day's occurrences (all-day first, then by start) in the person's zone — today unless a date is
 * given; null for an unknown person.
 */
export async function dayOf(userId: string, date?: Temporal.PlainDate, now: Date = new Date()): Promise<Day | null> {
  const person = await prisma.user.findUnique({ where: { id: userId }, select: { timeZone: true } });
  if (!person) return null;
  const { timeZone } = person;
  const day = date ?? todayIn(timeZone, now);
  const window = {
    start: day.toZonedDateTime(timeZone).toInstant(),
    end: day.add({ days: 1 }).toZonedDateTime(timeZone).toInstant(),
  };
  const occurrences = await listOccurrences(userId, window, timeZone);
  occurrences.sort((a, b) => Number(b.allDay) - Number(a.allDay) || Temporal.ZonedDateTime.compare(a.start, b.start));
  return { date: day, timeZone, lines: occurrences.map((occurrence) => describe(occurrence, day)) };
}

/** "Tuesday 1 December" */
export function longDate(date: Temporal.PlainDate): string {
  return date.toLocaleString("en-GB", { weekday: "long", day: "numeric", month: "long" });
}
