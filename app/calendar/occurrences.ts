import { lastWallStart, wallStartsBetween } from "./recurrence";
import { Temporal, formatWall, parseWall, toZoned } from "./time";

/** The stored fields expansion needs (a subset of the Event row). */
export type EventRecord = {
  id: string;
  uid: string;
  title: string;
  description: string;
  location: string;
  allDay: boolean;
  startLocal: string;
  endLocal: string;
  timeZone: string | null;
  rrule: string | null;
  exdates: string[];
  seriesId: string | null;
  recurrenceId: string | null;
};

export type Occurrence = {
  /** The row to open: the series for a generated occurrence, the override row for an edited one. */
  eventId: string;
  /** The series this occurrence belongs to (null for a one-off event). */
  seriesId: string | null;
  /** Which occurrence of the series (its original wall-clock start); null for a one-off event. */
  recurrenceId: string | null;
  isException: boolean;
  title: string;
  location: string;
  allDay: boolean;
  /** In the viewer's zone. */
  start: Temporal.ZonedDateTime;
  end: Temporal.ZonedDateTime;
  /** The event's own zone (null = floating: shown at the same wall-clock time in every zone). */
  timeZone: string | null;
};

export type Window = { start: Temporal.Instant; end: Temporal.Instant };

type Spanner = (wallStart: Temporal.PlainDateTime) => { start: Temporal.ZonedDateTime; end: Temporal.ZonedDateTime };

/**
 * The span function of one event: what is the same for every occurrence (its zone, its length) is
 * worked out once, so expanding a busy series costs one zone conversion per occurrence.
 */
function spanner(
  event: Pick<EventRecord, "allDay" | "timeZone" | "startLocal" | "endLocal">,
  viewerZone: string,
): Spanner {
  const zone = event.allDay ? viewerZone : (event.timeZone ?? viewerZone);
  const firstStart = parseWall(event.startLocal);
  const firstEnd = parseWall(event.endLocal);
  if (event.allDay) {
    const days = firstStart.toPlainDate().until(firstEnd.toPlainDate()).days;
    return (wallStart) => ({ start: toZoned(wallStart, zone), end: toZoned(wallStart.add({ days }), zone) });
  }
  // RFC 5545: every occurrence lasts the exact duration of the first one.
  const duration = toZoned(firstStart, zone).until(toZoned(firstEnd, zone));
  const sameZone = zone === viewerZone;
  return (wallStart) => {
    const start = toZoned(wallStart, zone);
    const end = start.add(duration);
    return sameZone ? { start, end } : { start: start.withTimeZone(viewerZone), end: end.withTimeZone(viewerZone) };
  };
}

/** The span of one occurrence: all-day and floating events follow the viewer's zone. */
export function spanOf(
  event: Pick<EventRecord, "allDay" | "timeZone" | "startLocal" | "endLocal">,
  wallStart: Temporal.PlainDateTime,
  viewerZone: string,
): { start: Temporal.ZonedDateTime; end: Temporal.ZonedDateTime } {
  return spanner(event, viewerZone)(wallStart);
}

function overlaps(span: { start: Temporal.ZonedDateTime; end: Temporal.ZonedDateTime }, window: Window): boolean {
  const start = span.start.toInstant();
  const end = span.end.toInstant();
  if (Temporal.Instant.compare(start, window.end) >= 0) return false;
  // A zero-length event at the window's start still belongs to it.
  return Temporal.Instant.compare(end, window.start) > 0 || Temporal.Instant.compare(start, window.start) >= 0;
}

function occurrence(
  event: EventRecord,
  span: { start: Temporal.ZonedDateTime; end: Temporal.ZonedDateTime },
  seriesId: string | null,
  recurrenceId: string | null,
  isException: boolean,
): Occurrence {
  return {
    eventId: event.id,
    seriesId,
    recurrenceId,
    isException,
    title: event.title,
    location: event.location,
    allDay: event.allDay,
    start: span.start,
    end: span.end,
    timeZone: event.allDay ? null : event.timeZone,
  };
}

/**
 * Every occurrence of `events` that overlaps the window, in the viewer's zone, sorted by start.
 * Series are expanded with their EXDATEs removed and each overridden occurrence replaced by its
 * override (wherever the override was moved to).
 */
export function expandOccurrences(events: EventRecord[], window: Window, viewerZone: string): Occurrence[] {
  const overridden = new Map<string, Set<string>>();
  for (const event of events) {
    if (event.seriesId && event.recurrenceId) {
      const set = overridden.get(event.seriesId) ?? new Set<string>();
      set.add(event.recurrenceId);
      overridden.set(event.seriesId, set);
    }
  }
  const result: Occurrence[] = [];
  for (const event of events) {
    if (!event.rrule) {
      const span = spanOf(event, parseWall(event.startLocal), viewerZone);
      if (overlaps(span, window)) {
        const isOverride = Boolean(event.seriesId && event.recurrenceId);
        result.push(occurrence(event, span, event.seriesId, event.recurrenceId, isOverride));
      }
      continue;
    }
    const zone = event.allDay ? viewerZone : (event.timeZone ?? viewerZone);
    const span = spanner(event, viewerZone);
    const firstSpan = span(parseWall(event.startLocal));
    const length = firstSpan.start.until(firstSpan.end, { largestUnit: "hours" });
    // Search on wall clocks a day wider than the window (offsets differ by at most 26 h) and minus
    // the event's length, then keep exactly the occurrences that overlap.
    const from = window.start.toZonedDateTimeISO(zone).toPlainDateTime().subtract(length).subtract({ days: 1 });
    const to = window.end.toZonedDateTimeISO(zone).toPlainDateTime().add({ days: 1 });
    const skipped = new Set(event.exdates);
    const replaced = overridden.get(event.id);
    for (const wallStart of wallStartsBetween(event.rrule, event.startLocal, from, to)) {
      const recurrenceId = formatWall(wallStart, event.allDay);
      if (skipped.has(recurrenceId) || replaced?.has(recurrenceId)) continue;
      const occurrenceSpan = span(wallStart);
      if (overlaps(occurrenceSpan, window))
        result.push(occurrence(event, occurrenceSpan, event.id, recurrenceId, false));
    }
  }
  // Sorted on epoch milliseconds read once per occurrence (ZonedDateTime.compare in the comparator
  // dominated the cost of a busy month).
  const starts = new Map(result.map((o) => [o, o.start.epochMilliseconds]));
  return result.sort(
    (a, b) => starts.get(a)! - starts.get(b)! || Number(b.allDay) - Number(a.allDay) || a.title.localeCompare(b.title),
  );
}

// Floating times (all-day, or imports without a zone) happen at that wall clock in whichever zone
// the viewer is in: UTC+14 is the earliest and UTC−12 the latest such instant.
const EARLIEST_ZONE = "Etc/GMT-14";
const LATEST_ZONE = "Etc/GMT+12";

/** The UTC span that holds every occurrence of an event (null end: the series never ends). */
export function eventRange(event: Pick<EventRecord, "allDay" | "timeZone" | "startLocal" | "endLocal" | "rrule">): {
  rangeStart: Date;
  rangeEnd: Date | null;
} {
  const floating = event.allDay || !event.timeZone;
  const startZone = floating ? EARLIEST_ZONE : (event.timeZone as string);
  const endZone = floating ? LATEST_ZONE : (event.timeZone as string);
  const rangeStart = new Date(toZoned(parseWall(event.startLocal), startZone).epochMilliseconds);
  const firstStart = parseWall(event.startLocal);
  const firstEnd = parseWall(event.endLocal);
  let lastStart = firstStart;
  if (event.rrule) {
    const last = lastWallStart(event.rrule, event.startLocal);
    if (last === "never") return { rangeStart, rangeEnd: null };
    lastStart = last;
  }
  // Wall-clock length plus a day covers a DST change inside the event.
  const lastEnd = lastStart.add(firstStart.until(firstEnd)).add({ days: floating ? 0 : 1 });
  return { rangeStart, rangeEnd: new Date(toZoned(lastEnd, endZone).epochMilliseconds) };
}

/** The UTC span of one occurrence (of an override's original slot), widened for floating events. */
export function occurrenceRange(
  event: Pick<EventRecord, "allDay" | "timeZone" | "startLocal" | "endLocal">,
  recurrenceId: string,
): { start: Date; end: Date } {
  const floating = event.allDay || !event.timeZone;
  const wall = parseWall(recurrenceId);
  const length = parseWall(event.startLocal).until(parseWall(event.endLocal));
  const start = toZoned(wall, floating ? EARLIEST_ZONE : (event.timeZone as string));
  const end = toZoned(
    wall.add(length).add({ days: floating ? 0 : 1 }),
    floating ? LATEST_ZONE : (event.timeZone as string),
  );
  return { start: new Date(start.epochMilliseconds), end: new Date(end.epochMilliseconds) };
}
