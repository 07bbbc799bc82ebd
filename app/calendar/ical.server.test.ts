import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ICalendarError, fromICalendar, toICalendar } from "./ical.server";
import { type EventRecord, expandOccurrences } from "./occurrences";
import { Temporal, isoWithOffset } from "./time";

const fixture = (name: string) =>
  fs.readFileSync(path.resolve(import.meta.dirname, "../../tests/fixtures/ics", name), "utf8");

/** Occurrences of a parsed file between two dates, as "start title" in the viewer's zone. */
function occurrencesOf(text: string, from: string, to: string, zone: string) {
  const { events, skipped } = fromICalendar(text, zone);
  const records: EventRecord[] = events.map((event, index) => ({ ...event, id: `e${index}`, seriesId: null }));
  for (const record of records) {
    if (record.recurrenceId)
      record.seriesId = records.find((other) => other.uid === record.uid && !other.recurrenceId)?.id ?? null;
  }
  const window = {
    start: Temporal.PlainDate.from(from).toZonedDateTime(zone).toInstant(),
    end: Temporal.PlainDate.from(to).toZonedDateTime(zone).toInstant(),
  };
  return {
    events,
    skipped,
    shown: expandOccurrences(records, window, zone).map((o) => `${isoWithOffset(o.start)} ${o.title}`),
  };
}

describe("iCalendar import", () => {
  it("reads a Google Calendar export: VTIMEZONE, RRULE with UTC UNTIL, EXDATE, RECURRENCE-ID, all-day, VALARM", () => {
    const { shown, events } = occurrencesOf(fixture("google.ics"), "2026-03-20", "2026-04-30", "Europe/Berlin");
    expect(shown).toEqual([
      "2026-03-23T09:00:00+01:00 Weekly sync",
      "2026-03-31T14:00:00+02:00 Weekly sync (moved)",
      "2026-04-03T00:00:00+02:00 Good Friday",
      "2026-04-13T09:00:00+02:00 Weekly sync",
    ]);
    expect(events[0]).toMatchObject({
      location: "Room 4",
      reminders: [10],
      timeZone: "Europe/Berlin",
      rrule: "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260420T085900",
    });
  });

  it("reads an Outlook export: Windows zone names and a custom VTIMEZONE resolved into my zone", () => {
    const { shown } = occurrencesOf(fixture("outlook.ics"), "2026-03-01", "2026-06-01", "Europe/Berlin");
    expect(shown).toEqual([
      "2026-03-09T15:00:00+01:00 Call with Boston",
      "2026-03-10T16:00:00+01:00 Monthly review",
      "2026-04-14T16:00:00+02:00 Monthly review",
      "2026-05-12T16:00:00+02:00 Monthly review",
    ]);
  });

  it("reads an Apple Calendar export: a daily series across the spring gap, floating time, multi-day all-day, skips VTODO", () => {
    const { shown, events } = occurrencesOf(fixture("apple.ics"), "2026-03-07", "2026-03-15", "America/New_York");
    expect(shown).toEqual([
      "2026-03-07T02:30:00-05:00 Night shift handover",
      "2026-03-08T03:30:00-04:00 Night shift handover",
      "2026-03-09T02:30:00-04:00 Night shift handover",
      "2026-03-10T12:00:00-04:00 Lunch (floating)",
      "2026-03-12T00:00:00-04:00 Conference",
    ]);
    expect(events.find((event) => event.title === "Lunch (floating)")?.timeZone).toBeNull();
    expect(events.find((event) => event.title === "Conference")).toMatchObject({
      allDay: true,
      startLocal: "2026-03-12",
      endLocal: "2026-03-14",
    });
  });

  it("refuses a malformed file with a clear error", () => {
    expect(() => fromICalendar(fixture("malformed.ics"), "UTC")).toThrow(ICalendarError);
    expect(() => fromICalendar("hello", "UTC")).toThrow(/not a valid iCalendar file/);
  });

  it("skips events it cannot use, saying why", () => {
    const text = fixture("apple.ics").replace("DTSTART;VALUE=DATE:20260312\n", "");
    const { skipped } = fromICalendar(text, "UTC");
    expect(skipped).toEqual([
      { uid: "A1B2C3D4-0000-4000-8000-000000000001", title: "Conference", reason: "It has no start (DTSTART)." },
    ]);
  });
});

describe("iCalendar export", () => {
  it("round-trips series, exceptions, all-day and reminders to the same occurrences", () => {
    const original = occurrencesOf(fixture("google.ics"), "2026-03-20", "2026-04-30", "Europe/Berlin");
    const records = original.events.map((event, index) => ({
      ...event,
      id: `e${index}`,
      seriesId: event.recurrenceId ? "e0" : null,
      updatedAt: new Date("2026-12-01T10:00:00Z"),
    }));
    const text = toICalendar(records, "ARES");
    expect(text).toContain("UNTIL=20260420T065900Z");
    expect(text).toContain("RECURRENCE-ID;TZID=Europe/Berlin:20260330T090000");
    expect(text).toContain("TRIGGER:-PT10M");
    expect(occurrencesOf(text, "2026-03-20", "2026-04-30", "Europe/Berlin").shown).toEqual(original.shown);
  });
});
