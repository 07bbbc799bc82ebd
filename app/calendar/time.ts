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
