import { Temporal } from "temporal-polyfill";

// Wall-clock values are stored as text: "2026-03-29T09:00" (timed) or "2026-03-29" (all-day).

export { Temporal };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isWallDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  try {
    Temporal.PlainDate.from(value, { overflow: "reject" });
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d$/;

/** A wall-clock value as stored: a real date ("2026-03-29") or date and time to the minute ("2026-03-29T09:00"). */
export function isWallValue(value: string): boolean {
  const match = DATE_TIME.exec(value);
  return isWallDate(match ? match[1]! : value);
}

/**
 * The years an event may start in and a view may show: past them the database's timestamps and the
 * views' windows run out of range (a view of 9999-12-31 reaches into year 10000).
 */
export const CALENDAR_YEARS = { first: 1900, last: 2200 } as const;

/** What to ask for when a date lies outside CALENDAR_YEARS (the form and the assistant's tools say the same). */
export const CHOOSE_CALENDAR_YEAR = `choose a date between ${CALENDAR_YEARS.first} and ${CALENDAR_YEARS.last}`;

/** The last day or moment an event covers: an all-day end is exclusive (iCalendar's DTEND), so the day before. */
export function lastWallOf(end: Temporal.PlainDateTime, allDay: boolean): Temporal.PlainDateTime {
  return allDay ? end.subtract({ days: 1 }) : end;
}

export function inCalendarYears(year: number): boolean {
  return year >= CALENDAR_YEARS.first && year <= CALENDAR_YEARS.last;
}

/** The date itself, or the first or last day of CALENDAR_YEARS where it lies beyond them. */
export function clampToCalendarYears(date: Temporal.PlainDate): Temporal.PlainDate {
  if (date.year < CALENDAR_YEARS.first)
    return Temporal.PlainDate.from({ year: CALENDAR_YEARS.first, month: 1, day: 1 });
  if (date.year > CALENDAR_YEARS.last)
    return Temporal.PlainDate.from({ year: CALENDAR_YEARS.last, month: 12, day: 31 });
  return date;
}

/** A stored wall-clock value as a PlainDateTime (all-day values start at midnight). */
export function parseWall(value: string): Temporal.PlainDateTime {
  return value.length === 10 ? Temporal.PlainDate.from(value).toPlainDateTime() : Temporal.PlainDateTime.from(value);
}

export function formatWall(value: Temporal.PlainDateTime, allDay: boolean): string {
  return allDay ? value.toPlainDate().toString() : value.toString({ smallestUnit: "minute" });
}

/**
 * The instant a wall-clock time names in a zone. A time skipped by a DST gap moves forward by the
 * gap's length and an ambiguous one takes the first (earlier) instant, as RFC 5545 §3.3.5 specifies.
 */
export function toZoned(wall: Temporal.PlainDateTime, timeZone: string): Temporal.ZonedDateTime {
  return wall.toZonedDateTime(timeZone, { disambiguation: "compatible" });
}

/** ISO 8601 with the UTC offset and no zone annotation, for `<time datetime>`: 2026-03-29T09:00:00+02:00. */
export function isoWithOffset(value: Temporal.ZonedDateTime): string {
  return value.toString({ timeZoneName: "never", smallestUnit: "second" });
}

export function fromDate(value: Date, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(value.getTime()).toZonedDateTimeISO(timeZone);
}

export function todayIn(timeZone: string, now: Date = new Date()): Temporal.PlainDate {
  return fromDate(now, timeZone).toPlainDate();
}

/** ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(date: Temporal.PlainDate): number {
  return date.weekOfYear ?? 0;
}
