import { describe, expect, it } from "vitest";
import { type Occurrence, occurrenceOf } from "./occurrences";
import { Temporal } from "./time";
import { layoutDay, monthWeeks, viewRange } from "./views";

function at(start: string, end: string, title: string): Occurrence {
  const zone = "Europe/Berlin";
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

describe("calendar view ranges", () => {
  it("a month grid runs Monday to Sunday with ISO week numbers, across the year's turn", () => {
    const range = viewRange("month", Temporal.PlainDate.from("2026-12-15"));
    const weeks = monthWeeks(range);
    expect(range.first.toString()).toBe("2026-11-30");
    expect(range.last.toString()).toBe("2027-01-04");
    expect(weeks.map((week) => week.week)).toEqual([49, 50, 51, 52, 53]);
    expect(range.previous.toString()).toBe("2026-11-01");
    expect(range.next.toString()).toBe("2027-01-01");
  });

  it("a week starts on Monday", () => {
    const range = viewRange("week", Temporal.PlainDate.from("2026-03-29"));
    expect([range.first.toString(), range.last.toString()]).toEqual(["2026-03-23", "2026-03-30"]);
  });
});

describe("day layout", () => {
  it("puts overlapping events side by side and lone ones full width", () => {
    const day = Temporal.PlainDate.from("2026-06-01");
    const placed = layoutDay(
      [
        at("2026-06-01T09:00", "2026-06-01T10:00", "A"),
        at("2026-06-01T09:30", "2026-06-01T10:30", "B"),
        at("2026-06-01T10:00", "2026-06-01T11:00", "C"),
        at("2026-06-01T14:00", "2026-06-01T15:00", "D"),
      ],
      day,
      "Europe/Berlin",
    );
    const byTitle = Object.fromEntries(placed.map((p) => [p.occurrence.title, [p.lane, p.lanes, p.top, p.height]]));
    expect(byTitle).toEqual({ A: [0, 2, 540, 60], B: [1, 2, 570, 60], C: [0, 2, 600, 60], D: [0, 1, 840, 60] });
  });

  it("places events by wall-clock time on the 23-hour spring day, as the hour labels read", () => {
    const placed = layoutDay(
      [at("2026-03-29T04:00", "2026-03-29T05:00", "early")],
      Temporal.PlainDate.from("2026-03-29"),
      "Europe/Berlin",
    );
    expect(placed[0]!.top).toBe(240);
  });
});
