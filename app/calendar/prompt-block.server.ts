import { Prisma } from "~/generated/prisma/client";
import { eventSpanSql } from "./event-span.server";
import { type EventRecord, type Occurrence, expandOccurrences } from "./occurrences";
import { Temporal, todayIn } from "./time";

/**
 * The assistant's view of my next 7 days (issue #13 part 6): the rows are read by the statement that
 * stores the message (docs/decisions/004 — no extra round trip before the first token) and expanded
 * here, so a series shows as its occurrences, in my zone.
 */

/** Lines beyond this are left to list_events: the block must not crowd out the conversation. */
const MAX_LINES = 60;
const DAYS = 7;

/**
 * A column (`AS calendar`, JSON: EventRecord[]) with my events that may have an occurrence in the next
 * 8 days as seen from any zone: the same span test as listOccurrences (the GiST index of ("userId", span),
 * eventSpanSql), on a UTC window a day wider each side than any zone's "today + 7 days". Someone without
 * events pays two empty index probes.
 */
export function upcomingEventsColumn(userId: string): Prisma.Sql {
  return Prisma.sql`(SELECT coalesce(json_agg(json_build_object(
        'id', e.id, 'uid', e.uid, 'title', e.title, 'description', e.description, 'location', e.location,
        'allDay', e."allDay", 'startLocal', e."startLocal", 'endLocal', e."endLocal", 'timeZone', e."timeZone",
        'rrule', e.rrule, 'exdates', e.exdates, 'seriesId', e."seriesId", 'recurrenceId', e."recurrenceId",
        'readOnly', e."subscriptionId" IS NOT NULL)
        ORDER BY e."rangeStart", e.id), '[]'::json)
      FROM "Event" e, (SELECT now() AT TIME ZONE 'UTC' - interval '1 day' AS lo,
                              now() AT TIME ZONE 'UTC' + interval '${Prisma.raw(String(DAYS + 1))} days' AS hi) w
     WHERE e."userId" = ${userId}
       AND ((${eventSpanSql("e")} && tsrange(w.lo, w.hi)
             AND e."rangeStart" < w.hi AND (e."rangeEnd" IS NULL OR e."rangeEnd" > w.lo))
         OR (e."replacedStart" < w.hi AND e."replacedEnd" > w.lo))) AS calendar`;
}

/** A row of the block: an event, and whether it comes from a subscribed calendar (read-only here). */
export type UpcomingRecord = EventRecord & { readOnly: boolean };

/** From the start of today in my zone to the end of the 7th day. */
export function nextDays(timeZone: string, now: Date): { start: Temporal.Instant; end: Temporal.Instant } {
  const today = todayIn(timeZone, now);
  return {
    start: today.toZonedDateTime(timeZone).toInstant(),
    end: today.add({ days: DAYS }).toZonedDateTime(timeZone).toInstant(),
  };
}

const time = (value: Temporal.ZonedDateTime) => value.toPlainTime().toString({ smallestUnit: "minute" });
/** "Tue 8 Dec 2026" */
const day = (value: Temporal.PlainDate) =>
  `${value.toLocaleString("en-GB", { weekday: "short" })} ${value.day} ${value.toLocaleString("en-GB", { month: "short" })} ${value.year}`;

/** One occurrence in plain words, with what the tools need to address it. */
export function describeOccurrence(occurrence: Occurrence, viewerZone: string, readOnly = false): string {
  let when: string;
  if (occurrence.allDay) {
    const last = occurrence.end.toPlainDate().subtract({ days: 1 });
    const first = occurrence.start.toPlainDate();
    when =
      Temporal.PlainDate.compare(last, first) > 0 ? `${day(first)} – ${day(last)}, all day` : `${day(first)}, all day`;
  } else {
    const endDay = occurrence.end.toPlainDate();
    const sameDay = endDay.equals(occurrence.start.toPlainDate());
    when = `${day(occurrence.start.toPlainDate())} ${time(occurrence.start)}–${sameDay ? "" : `${day(endDay)} `}${time(occurrence.end)}`;
  }
  const zone = occurrence.timeZone && occurrence.timeZone !== viewerZone ? ` (event zone ${occurrence.timeZone})` : "";
  const where = occurrence.location ? ` at ${occurrence.location}` : "";
  const series = occurrence.seriesId ? ", repeating" : "";
  const address =
    occurrence.seriesId && occurrence.recurrenceId && !occurrence.isException
      ? `event_id=${occurrence.eventId}, occurrence=${occurrence.recurrenceId}`
      : `event_id=${occurrence.eventId}`;
  // Its feed rewrites it at the next refresh: the model should not propose changing it.
  const source = readOnly ? ", read-only (from a subscribed calendar)" : "";
  return `${when}${zone}: ${occurrence.title}${where}${series}${source} [${address}]`;
}

/** The calendar section's lines: every occurrence of the next 7 days in my zone, earliest first. */
export function upcomingLines(rows: UpcomingRecord[], timeZone: string, now: Date): string[] {
  const occurrences = rows.length ? expandOccurrences(rows, nextDays(timeZone, now), timeZone) : [];
  if (occurrences.length === 0) return ["Nothing scheduled."];
  const readOnly = new Set(rows.flatMap((row) => (row.readOnly ? [row.id] : [])));
  const lines = occurrences
    .slice(0, MAX_LINES)
    .map((occurrence) => describeOccurrence(occurrence, timeZone, readOnly.has(occurrence.eventId)));
  if (occurrences.length > MAX_LINES) {
    lines.push(`… and ${occurrences.length - MAX_LINES} more: use list_events to see them.`);
  }
  return lines;
}
