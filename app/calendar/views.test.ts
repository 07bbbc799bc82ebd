import { describe, expect, it } from "vitest";
import { timedOccurrence } from "../../tests/support/occurrences";
import { Temporal } from "./time";
import { byDay, dayBounds, layoutDay, monthWeeks, viewRange } from "./views";
import { zoneClock } from "./zone-clock";

const ZONE = "Europe/Berlin";

const at = (start: string, end: string, title: string) => timedOccurrence(start, end, title, ZONE);

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
    // A, B and C are one crowd (a phone's week shows it as one link to the day), drawn 09:00–11:00.
    const crowds = new Set(placed.map((p) => p.crowd));
    expect([...crowds]).toEqual([{ size: 3, top: 540, bottom: 660 }, null]);
  });

  it("puts back-to-back short events side by side: each is drawn at least 24 px tall, so one would cover the next", () => {
    const placed = layoutDay(
      [
        at("2026-06-01T10:00", "2026-06-01T10:15", "call"),
        at("2026-06-01T10:15", "2026-06-01T10:30", "stand-up"),
        at("2026-06-01T11:00", "2026-06-01T11:15", "alone"),
      ],
      Temporal.PlainDate.from("2026-06-01"),
      "Europe/Berlin",
    );
    const byTitle = Object.fromEntries(placed.map((p) => [p.occurrence.title, [p.lane, p.lanes, p.top, p.height]]));
    expect(byTitle).toEqual({ call: [0, 2, 600, 15], "stand-up": [1, 2, 615, 15], alone: [0, 1, 660, 15] });
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

describe("occurrences by day", () => {
  it("lists an occurrence on every day it touches, in start order, and a zero-length one on the day it starts", () => {
    const range = viewRange("week", Temporal.PlainDate.from("2026-03-25"));
    const bounds = dayBounds(range, zoneClock("Europe/Berlin"));
    const occurrences = [
      at("2026-03-22T23:00", "2026-03-23T01:00", "from the week before"),
      at("2026-03-23T09:00", "2026-03-23T10:00", "Monday"),
      at("2026-03-24T00:00", "2026-03-24T00:00", "zero at midnight"),
      at("2026-03-24T22:00", "2026-03-26T00:00", "two nights"),
      at("2026-03-28T23:30", "2026-03-29T04:00", "over the DST change"),
      at("2026-03-29T23:00", "2026-03-30T01:00", "into the next week"),
    ];
    const titles = byDay(occurrences, bounds).map((day) => day.map((o) => o.title));
    expect(titles).toEqual([
      ["from the week before", "Monday"],
      ["zero at midnight", "two nights"],
      ["two nights"],
      [],
      [],
      ["over the DST change"],
      ["over the DST change", "into the next week"],
    ]);
  });
});
