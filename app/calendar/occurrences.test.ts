import { describe, expect, it } from "vitest";
import { type EventRecord, eventRange, expandOccurrences, isCancelled, isOccurrenceOf } from "./occurrences";
import { Temporal, isoWithOffset } from "./time";

let nextId = 0;
function event(fields: Partial<EventRecord> & Pick<EventRecord, "startLocal" | "endLocal">): EventRecord {
  nextId += 1;
  return {
    id: `e${nextId}`,
    uid: `uid-${nextId}`,
    title: "Meeting",
    description: "",
    location: "",
    allDay: false,
    timeZone: "UTC",
    rrule: null,
    exdates: [],
    seriesId: null,
    recurrenceId: null,
    ...fields,
  };
}

function window(from: string, to: string, zone: string) {
  return {
    start: Temporal.PlainDate.from(from).toZonedDateTime(zone).toInstant(),
    end: Temporal.PlainDate.from(to).toZonedDateTime(zone).toInstant(),
  };
}

function starts(events: EventRecord[], from: string, to: string, zone: string): string[] {
  return expandOccurrences(events, window(from, to, zone), zone).map((o) => isoWithOffset(o.start));
}

describe("a weekly meeting keeps its wall-clock time across DST", () => {
  it("09:00 Europe/Berlin stays 09:00 Berlin through the spring and autumn changes", () => {
    const meeting = event({
      startLocal: "2026-03-23T09:00",
      endLocal: "2026-03-23T10:00",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=WEEKLY;BYDAY=MO",
    });
    expect(starts([meeting], "2026-03-23", "2026-04-07", "Europe/Berlin")).toEqual([
      "2026-03-23T09:00:00+01:00",
      "2026-03-30T09:00:00+02:00",
      "2026-04-06T09:00:00+02:00",
    ]);
    expect(starts([meeting], "2026-10-19", "2026-11-03", "Europe/Berlin")).toEqual([
      "2026-10-19T09:00:00+02:00",
      "2026-10-26T09:00:00+01:00",
      "2026-11-02T09:00:00+01:00",
    ]);
  });

  it("shows the Berlin meeting in New York at the hour that follows both zones' changes", () => {
    const meeting = event({
      startLocal: "2026-03-02T09:00",
      endLocal: "2026-03-02T10:00",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=WEEKLY;BYDAY=MO",
    });
    // The US changes on 8 March, Europe on 29 March: for three weeks the gap is five hours.
    expect(starts([meeting], "2026-03-02", "2026-04-01", "America/New_York")).toEqual([
      "2026-03-02T03:00:00-05:00",
      "2026-03-09T04:00:00-04:00",
      "2026-03-16T04:00:00-04:00",
      "2026-03-23T04:00:00-04:00",
      "2026-03-30T03:00:00-04:00",
    ]);
  });
});

describe("daily series at times a DST change skips or repeats", () => {
  it("America/New_York: 02:30 on the spring-forward day happens at 03:30 EDT; 01:30 in autumn is the first 01:30", () => {
    const spring = event({
      startLocal: "2026-03-07T02:30",
      endLocal: "2026-03-07T03:00",
      timeZone: "America/New_York",
      rrule: "FREQ=DAILY;COUNT=3",
    });
    expect(starts([spring], "2026-03-07", "2026-03-10", "America/New_York")).toEqual([
      "2026-03-07T02:30:00-05:00",
      "2026-03-08T03:30:00-04:00",
      "2026-03-09T02:30:00-04:00",
    ]);
    const autumn = event({
      startLocal: "2026-10-31T01:30",
      endLocal: "2026-10-31T02:00",
      timeZone: "America/New_York",
      rrule: "FREQ=DAILY",
    });
    expect(starts([autumn], "2026-10-31", "2026-11-03", "America/New_York")).toEqual([
      "2026-10-31T01:30:00-04:00",
      "2026-11-01T01:30:00-04:00",
      "2026-11-02T01:30:00-05:00",
    ]);
  });

  it("Australia/Sydney: 02:30 daily across April's end and October's start of DST", () => {
    const series = event({
      startLocal: "2026-04-04T02:30",
      endLocal: "2026-04-04T03:30",
      timeZone: "Australia/Sydney",
      rrule: "FREQ=DAILY",
    });
    expect(starts([series], "2026-04-04", "2026-04-07", "Australia/Sydney")).toEqual([
      "2026-04-04T02:30:00+11:00",
      "2026-04-05T02:30:00+11:00",
      "2026-04-06T02:30:00+10:00",
    ]);
    expect(starts([series], "2026-10-03", "2026-10-06", "Australia/Sydney")).toEqual([
      "2026-10-03T02:30:00+10:00",
      "2026-10-04T03:30:00+11:00",
      "2026-10-05T02:30:00+11:00",
    ]);
  });

  it("an hour-long event across the spring gap lasts one real hour", () => {
    const series = event({
      startLocal: "2026-03-28T01:30",
      endLocal: "2026-03-28T02:30",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=DAILY;COUNT=3",
    });
    const [, gapDay] = expandOccurrences([series], window("2026-03-28", "2026-03-31", "UTC"), "Europe/Berlin");
    expect(isoWithOffset(gapDay!.start)).toBe("2026-03-29T01:30:00+01:00");
    expect(isoWithOffset(gapDay!.end)).toBe("2026-03-29T03:30:00+02:00");
  });
});

describe("monthly series", () => {
  it("Pacific/Auckland: the last Sunday at 02:30 lands on September's spring-forward day at 03:30", () => {
    const series = event({
      startLocal: "2026-07-26T02:30",
      endLocal: "2026-07-26T03:00",
      timeZone: "Pacific/Auckland",
      rrule: "FREQ=MONTHLY;BYDAY=-1SU",
    });
    expect(starts([series], "2026-07-01", "2026-11-01", "Pacific/Auckland")).toEqual([
      "2026-07-26T02:30:00+12:00",
      "2026-08-30T02:30:00+12:00",
      "2026-09-27T03:30:00+13:00",
      "2026-10-25T02:30:00+13:00",
    ]);
  });

  it("Asia/Kolkata (no DST): the 31st each month skips shorter months and keeps +05:30", () => {
    const series = event({
      startLocal: "2026-01-31T18:00",
      endLocal: "2026-01-31T19:00",
      timeZone: "Asia/Kolkata",
      rrule: "FREQ=MONTHLY;BYMONTHDAY=31",
    });
    expect(starts([series], "2026-01-01", "2026-06-01", "Asia/Kolkata")).toEqual([
      "2026-01-31T18:00:00+05:30",
      "2026-03-31T18:00:00+05:30",
      "2026-05-31T18:00:00+05:30",
    ]);
  });

  it("America/New_York: the 8th at 02:15 monthly shifts only in March", () => {
    const series = event({
      startLocal: "2026-02-08T02:15",
      endLocal: "2026-02-08T02:45",
      timeZone: "America/New_York",
      rrule: "FREQ=MONTHLY;COUNT=3",
    });
    expect(starts([series], "2026-02-01", "2026-05-01", "America/New_York")).toEqual([
      "2026-02-08T02:15:00-05:00",
      "2026-03-08T03:15:00-04:00",
      "2026-04-08T02:15:00-04:00",
    ]);
  });
});

describe("all-day events", () => {
  it("a weekly all-day event spans whole local days, also the 23-hour DST day, in every viewer zone", () => {
    const series = event({
      allDay: true,
      startLocal: "2026-03-22",
      endLocal: "2026-03-23",
      timeZone: null,
      rrule: "FREQ=WEEKLY",
    });
    const berlin = expandOccurrences([series], window("2026-03-22", "2026-04-06", "Europe/Berlin"), "Europe/Berlin");
    expect(berlin.map((o) => [isoWithOffset(o.start), isoWithOffset(o.end)])).toEqual([
      ["2026-03-22T00:00:00+01:00", "2026-03-23T00:00:00+01:00"],
      ["2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"],
      ["2026-04-05T00:00:00+02:00", "2026-04-06T00:00:00+02:00"],
    ]);
    const auckland = expandOccurrences(
      [series],
      window("2026-04-01", "2026-04-08", "Pacific/Auckland"),
      "Pacific/Auckland",
    );
    expect(auckland.map((o) => o.start.toPlainDate().toString())).toEqual(["2026-04-05"]);
    expect(auckland[0]!.allDay).toBe(true);
  });

  it("a multi-day all-day event shows on each day it covers", () => {
    const trip = event({ allDay: true, startLocal: "2026-11-06", endLocal: "2026-11-09", timeZone: null });
    expect(starts([trip], "2026-11-08", "2026-11-09", "America/New_York")).toEqual(["2026-11-06T00:00:00-05:00"]);
    expect(starts([trip], "2026-11-09", "2026-11-10", "America/New_York")).toEqual([]);
  });
});

describe("exceptions", () => {
  const series = event({
    startLocal: "2026-06-01T09:00",
    endLocal: "2026-06-01T09:30",
    timeZone: "Europe/Berlin",
    rrule: "FREQ=DAILY;COUNT=5",
    exdates: ["2026-06-02T09:00"],
  });

  it("EXDATE removes an occurrence", () => {
    expect(starts([series], "2026-06-01", "2026-06-10", "Europe/Berlin")).toEqual([
      "2026-06-01T09:00:00+02:00",
      "2026-06-03T09:00:00+02:00",
      "2026-06-04T09:00:00+02:00",
      "2026-06-05T09:00:00+02:00",
    ]);
  });

  it("an override (RECURRENCE-ID) replaces its occurrence, even when moved to another week", () => {
    const moved = event({
      uid: series.uid,
      title: "Moved meeting",
      startLocal: "2026-06-12T15:00",
      endLocal: "2026-06-12T16:00",
      timeZone: "Europe/Berlin",
      seriesId: series.id,
      recurrenceId: "2026-06-03T09:00",
    });
    const firstWeek = expandOccurrences(
      [series, moved],
      window("2026-06-01", "2026-06-08", "Europe/Berlin"),
      "Europe/Berlin",
    );
    expect(firstWeek.map((o) => o.start.toPlainDate().toString())).toEqual(["2026-06-01", "2026-06-04", "2026-06-05"]);
    const later = expandOccurrences(
      [series, moved],
      window("2026-06-08", "2026-06-15", "Europe/Berlin"),
      "Europe/Berlin",
    );
    expect(later).toHaveLength(1);
    expect(later[0]).toMatchObject({
      title: "Moved meeting",
      isException: true,
      seriesId: series.id,
      recurrenceId: "2026-06-03T09:00",
    });
  });

  it("an UNTIL wall-clock time includes the occurrence at that time", () => {
    const until = event({
      startLocal: "2026-06-01T09:00",
      endLocal: "2026-06-01T09:30",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=DAILY;UNTIL=20260603T090000",
    });
    expect(starts([until], "2026-06-01", "2026-06-10", "Europe/Berlin")).toHaveLength(3);
  });
});

describe("eventRange", () => {
  it("a COUNT series ends at its last occurrence's end; an endless one has no end", () => {
    const finite = eventRange({
      allDay: false,
      timeZone: "Europe/Berlin",
      startLocal: "2026-06-01T09:00",
      endLocal: "2026-06-01T10:00",
      rrule: "FREQ=WEEKLY;COUNT=3",
    });
    expect(finite.rangeStart.toISOString()).toBe("2026-06-01T07:00:00.000Z");
    expect(finite.rangeEnd!.getTime()).toBeGreaterThanOrEqual(Date.parse("2026-06-15T08:00:00Z"));
    expect(finite.rangeEnd!.getTime()).toBeLessThanOrEqual(Date.parse("2026-06-16T08:00:00Z"));
    const endless = eventRange({
      allDay: false,
      timeZone: "UTC",
      startLocal: "2026-06-01T09:00",
      endLocal: "2026-06-01T10:00",
      rrule: "FREQ=DAILY",
    });
    expect(endless.rangeEnd).toBeNull();
  });
});

describe("the order and uniqueness of occurrences", () => {
  it("puts occurrences alike in start, kind and title in the order of their event ids, whatever order they came in", () => {
    const alike = (id: string) => ({ ...event({ startLocal: "2026-03-04T10:00", endLocal: "2026-03-04T11:00" }), id });
    const ids = (events: EventRecord[]) =>
      expandOccurrences(events, window("2026-03-04", "2026-03-05", "UTC"), "UTC").map((o) => o.eventId);
    expect(ids([alike("b"), alike("c"), alike("a")])).toEqual(["a", "b", "c"]);
    expect(ids([alike("c"), alike("a"), alike("b")])).toEqual(["a", "b", "c"]);
  });

  it("counts a series' instance once when two of its times fall on one instant (02:30 skipped to 03:30 on a spring-forward day)", () => {
    // RFC 5545 §3.3.10: a duplicate instance is counted once.
    const twice = event({
      startLocal: "2026-03-27T02:30",
      endLocal: "2026-03-27T02:45",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30",
    });
    expect(starts([twice], "2026-03-28", "2026-03-31", "Europe/Berlin")).toEqual([
      "2026-03-28T02:30:00+01:00",
      "2026-03-28T03:30:00+01:00",
      "2026-03-29T03:30:00+02:00",
      "2026-03-30T02:30:00+02:00",
      "2026-03-30T03:30:00+02:00",
    ]);
  });

  it("that one instance is the wall time that exists (03:30, not the skipped 02:30): excluding 03:30 hides it", () => {
    const series = {
      startLocal: "2026-03-27T02:30",
      endLocal: "2026-03-27T02:45",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30",
    };
    const onTheDay = (exdates: string[]) =>
      expandOccurrences(
        [event({ ...series, exdates })],
        window("2026-03-29", "2026-03-30", "Europe/Berlin"),
        "Europe/Berlin",
      ).map((o) => [isoWithOffset(o.start), o.recurrenceId]);
    expect(onTheDay([])).toEqual([["2026-03-29T03:30:00+02:00", "2026-03-29T03:30"]]);
    expect(onTheDay(["2026-03-29T03:30"])).toEqual([]);
    // 02:30 names the same instant (RFC 5545 reads a gap time shifted forward): an EXDATE of it (one made
    // while 02:30 was that occurrence's id, or from a file) cancels that instance too.
    expect(onTheDay(["2026-03-29T02:30"])).toEqual([]);
    // A series at 02:30 alone still happens that day, at 03:30, as its 02:30 occurrence.
    const alone = expandOccurrences(
      [event({ ...series, rrule: "FREQ=DAILY;BYHOUR=2;BYMINUTE=30" })],
      window("2026-03-29", "2026-03-30", "Europe/Berlin"),
      "Europe/Berlin",
    ).map((o) => [isoWithOffset(o.start), o.recurrenceId]);
    expect(alone).toEqual([["2026-03-29T03:30:00+02:00", "2026-03-29T02:30"]]);
  });

  it("a series at 02:30 alone: an EXDATE or an override at 02:30 or at 03:30 (a UTC id read in Berlin) leaves it out", () => {
    const alone = {
      startLocal: "2026-03-27T02:30",
      endLocal: "2026-03-27T02:45",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=DAILY",
    };
    const onTheDay = (records: EventRecord[]) =>
      expandOccurrences(records, window("2026-03-29", "2026-03-30", "Europe/Berlin"), "Europe/Berlin").map(
        (o) => `${isoWithOffset(o.start).slice(11, 16)} ${o.title}`,
      );
    for (const id of ["2026-03-29T02:30", "2026-03-29T03:30"]) {
      const cancelled = event({ ...alone, exdates: [id] });
      expect(onTheDay([cancelled])).toEqual([]);
      // Its page and forms agree with the calendar: the 02:30 date is cancelled.
      expect(isCancelled(cancelled, "2026-03-29T02:30")).toBe(true);
      const series = event(alone);
      const moved = event({
        title: "Moved",
        startLocal: "2026-03-29T05:00",
        endLocal: "2026-03-29T05:15",
        timeZone: "Europe/Berlin",
        seriesId: series.id,
        recurrenceId: id,
      });
      // Before, the 03:30 override showed beside the 02:30 date it replaces.
      expect(onTheDay([series, moved])).toEqual(["05:00 Moved"]);
    }
    // The next day's 02:30 is another instant: not cancelled.
    expect(isCancelled(event({ ...alone, exdates: ["2026-03-29T03:30"] }), "2026-03-30T02:30")).toBe(false);
  });
});

describe("all-day and floating series have every date their rule gives, in any viewer's zone", () => {
  // Samoa skipped 30 December 2011 (its midnight does not exist there): an all-day date is no instant.
  const daily = {
    allDay: true,
    timeZone: null,
    startLocal: "2011-12-28",
    endLocal: "2011-12-29",
    rrule: "FREQ=DAILY",
  };
  const dates = (record: EventRecord) =>
    expandOccurrences([record], window("2011-12-29", "2012-01-02", "Pacific/Apia"), "Pacific/Apia").map(
      (o) => o.recurrenceId,
    );

  it("a Samoa viewer's all-day 30 December 2011 is a date of the series, as its page says", () => {
    expect(dates(event(daily))).toContain("2011-12-30");
    expect(isOccurrenceOf(daily, "2011-12-30")).toBe(true);
  });

  it("an EXDATE of 30 December 2011 cancels that date only, not the 31st", () => {
    expect(dates(event({ ...daily, exdates: ["2011-12-30"] }))).toEqual(["2011-12-29", "2011-12-31", "2012-01-01"]);
    expect(isCancelled({ ...daily, exdates: ["2011-12-30"] }, "2011-12-31")).toBe(false);
  });
});
