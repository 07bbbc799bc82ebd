/**
 * A person's days in plain words, for places that are not the calendar page: the Telegram `/today`
 * command now, the assistant's prompt and the morning briefing later. Occurrences are expanded (a
 * series shows as its occurrences, never as its first event) and written in the person's zone.
 */
import { prisma } from "~/db/db.server";
import { listOccurrences } from "./events.server";
import type { Occurrence } from "./occurrences";
import { Temporal, todayIn } from "./time";

function describe(occurrence: Occurrence): string {
  const when = occurrence.allDay
    ? "all day"
    : `${occurrence.start.toPlainTime().toString({ smallestUnit: "minute" })}–${occurrence.end
        .toPlainTime()
        .toString({ smallestUnit: "minute" })}`;
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
  return { date: day, timeZone, lines: occurrences.map(describe) };
}

/** "Tuesday 1 December" */
export function longDate(date: Temporal.PlainDate): string {
  return date.toLocaleString("en-GB", { weekday: "long", day: "numeric", month: "long" });
}
