import { type Occurrence, occurrenceOf } from "~/calendar/occurrences";
import { Temporal } from "~/calendar/time";

/**
 * A one-off timed occurrence from `start` to `end` (wall-clock, "2026-03-04T10:00") in `zone`, seen there:
 * the fixture the calendar's view tests lay out. Its title is its event id, so a test can tell them apart.
 */
export function timedOccurrence(start: string, end: string, title: string, zone = "Europe/Berlin"): Occurrence {
  return occurrenceOf(
    {
      eventId: title,
      seriesId: null,
      recurrenceId: null,
      isException: false,
      title,
      location: "",
      allDay: false,
      startMs: Temporal.PlainDateTime.from(start).toZonedDateTime(zone).epochMilliseconds,
      endMs: Temporal.PlainDateTime.from(end).toZonedDateTime(zone).epochMilliseconds,
      timeZone: zone,
    },
    zone,
  );
}
