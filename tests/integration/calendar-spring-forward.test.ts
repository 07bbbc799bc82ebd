/**
 * A series whose wall times fall into a spring-forward gap (02:30 on 29 March 2026 in Berlin): which
 * dates its pages and forms accept, and how a date edited on its own replaces it, on real PostgreSQL.
 */
import { describe, expect, it } from "vitest";
import {
  OccurrenceNotFoundError,
  askedOccurrence,
  createEvent,
  deleteEvent,
  getEvent,
  listOccurrences,
  seriesPageScope,
  updateEvent,
} from "~/calendar/events.server";
import type { EventInput } from "~/calendar/schemas";
import { Temporal, isoWithOffset } from "~/calendar/time";
import { prisma } from "~/db/db.server";
import { makeUser } from "../support/accounts";

const ZONE = "Europe/Berlin";

function daily(rrule: string, fields: Partial<EventInput> = {}): EventInput {
  return {
    title: "Night check",
    description: "",
    location: "",
    allDay: false,
    startLocal: "2026-03-27T02:30",
    endLocal: "2026-03-27T02:45",
    timeZone: ZONE,
    rrule,
    reminders: [],
    ...fields,
  };
}

/** What the calendar shows on the spring-forward day, in Berlin. */
async function onTheDay(userId: string): Promise<string[]> {
  const day = Temporal.PlainDate.from("2026-03-29");
  const occurrences = await listOccurrences(
    userId,
    {
      start: day.toZonedDateTime(ZONE).toInstant(),
      end: day.add({ days: 1 }).toZonedDateTime(ZONE).toInstant(),
    },
    ZONE,
  );
  return occurrences.map((o) => `${isoWithOffset(o.start).slice(11, 16)} ${o.title}`);
}

function edited(title: string, startLocal: string, endLocal: string): EventInput {
  return daily("FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30", { title, startLocal, endLocal, rrule: null });
}

describe("a series at 02:30 and 03:30 on the spring-forward day", () => {
  const both = "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30";

  it("has one occurrence that day, 03:30: a page or an edit naming 02:30 finds no such date", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, daily(both));
    const series = await getEvent(user.id, id);
    expect(await onTheDay(user.id)).toEqual(["03:30 Night check"]);
    expect(askedOccurrence(series, "2026-03-29T03:30")).toBe("2026-03-29T03:30");
    expect(() => askedOccurrence(series, "2026-03-29T02:30")).toThrow(OccurrenceNotFoundError);
    // An edit of "02:30" alone made a second event beside the 03:30 one.
    await expect(
      updateEvent(
        user.id,
        { eventId: id, occurrence: "2026-03-29T02:30" },
        edited("Moved", "2026-03-29T04:00", "2026-03-29T04:15"),
        "this",
      ),
    ).rejects.toBeInstanceOf(OccurrenceNotFoundError);
    expect(await onTheDay(user.id)).toEqual(["03:30 Night check"]);
    // The other days keep both times.
    expect(askedOccurrence(series, "2026-03-28T02:30")).toBe("2026-03-28T02:30");
  });

  it("a series at 02:30 alone still has its 02:30 date that day (shown at 03:30), and no 03:30 one", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, daily("FREQ=DAILY"));
    const series = await getEvent(user.id, id);
    expect(await onTheDay(user.id)).toEqual(["03:30 Night check"]);
    expect(askedOccurrence(series, "2026-03-29T02:30")).toBe("2026-03-29T02:30");
    expect(() => askedOccurrence(series, "2026-03-29T03:30")).toThrow(OccurrenceNotFoundError);
  });

  it("a date edited on its own before 03:30 became that day's id (its id 02:30) replaces the 03:30 occurrence", async () => {
    const user = await makeUser({ timeZone: ZONE });
    // Made as such a date was made then: an override with the recurrence id 02:30 (here through a series at
    // 02:30 alone, which still has that id), then the series' rule as it is stored.
    const { id } = await createEvent(user.id, daily("FREQ=DAILY"));
    const overrideId = await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-29T02:30" },
      edited("Moved", "2026-03-29T04:00", "2026-03-29T04:15"),
      "this",
    ).then(async () => (await getEvent(user.id, id)).overrides[0]?.id);
    expect(overrideId).toBeDefined();
    await prisma.event.update({ where: { id }, data: { rrule: both } });
    expect(await onTheDay(user.id)).toEqual(["04:00 Moved"]);

    // The 03:30 date's page is that edited date, and editing it again changes it rather than adding one.
    await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-29T03:30" },
      edited("Moved again", "2026-03-29T05:00", "2026-03-29T05:15"),
      "this",
    );
    expect(await onTheDay(user.id)).toEqual(["05:00 Moved again"]);
    // Re-read: the one override is the same row, changed.
    const after = await getEvent(user.id, id);
    expect(after.overrides.map((o) => o.id)).toEqual([overrideId]);
    expect(after.overrides[0]?.title).toBe("Moved again");

    // Deleting that date removes it: nothing is left that day.
    await deleteEvent(user.id, { eventId: id, occurrence: "2026-03-29T03:30" }, "this");
    expect(await onTheDay(user.id)).toEqual([]);
  });

  it("a date cancelled before 03:30 became that day's id (EXDATE 02:30) stays cancelled: no page, no edit of it", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, daily(both));
    await prisma.event.update({ where: { id }, data: { exdates: ["2026-03-29T02:30"] } });
    expect(await onTheDay(user.id)).toEqual([]);
    // Hidden in the calendar, it had a live page, and "Edit this" from it brought the cancelled date back.
    const series = await getEvent(user.id, id);
    expect(() => askedOccurrence(series, "2026-03-29T03:30")).toThrow(OccurrenceNotFoundError);
    await expect(
      updateEvent(
        user.id,
        { eventId: id, occurrence: "2026-03-29T03:30" },
        edited("Back", "2026-03-29T03:30", "2026-03-29T03:45"),
        "this",
      ),
    ).rejects.toBeInstanceOf(OccurrenceNotFoundError);
    expect(await onTheDay(user.id)).toEqual([]);
    expect(askedOccurrence(series, "2026-03-28T03:30")).toBe("2026-03-28T03:30");
  });
});

describe("a series at 02:30 alone on the spring-forward day", () => {
  it("an EXDATE at 02:30 cancels it (shown at 03:30), and so does one at 03:30 (a UTC EXDATE read in Berlin)", async () => {
    const user = await makeUser({ timeZone: ZONE });
    for (const exdate of ["2026-03-29T02:30", "2026-03-29T03:30"]) {
      const { id } = await createEvent(user.id, daily("FREQ=DAILY", { title: `Cut ${exdate.slice(11)}` }));
      await prisma.event.update({ where: { id }, data: { exdates: [exdate] } });
      const series = await getEvent(user.id, id);
      expect(() => askedOccurrence(series, "2026-03-29T02:30")).toThrow(OccurrenceNotFoundError);
    }
    expect(await onTheDay(user.id)).toEqual([]);
  });

  it("a date changed on its own under the id 03:30 (imported) replaces the 02:30 date, and is that date's page", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, daily("FREQ=DAILY"));
    const series = await getEvent(user.id, id);
    await prisma.event.create({
      data: {
        userId: user.id,
        uid: series.uid,
        seriesId: id,
        recurrenceId: "2026-03-29T03:30",
        title: "Moved",
        description: "",
        location: "",
        allDay: false,
        startLocal: "2026-03-29T05:00",
        endLocal: "2026-03-29T05:15",
        timeZone: ZONE,
        reminders: [],
        exdates: [],
        rangeStart: new Date("2026-03-29T03:00:00Z"),
        rangeEnd: new Date("2026-03-29T03:15:00Z"),
        replacedStart: new Date("2026-03-29T01:30:00Z"),
        replacedEnd: new Date("2026-03-29T01:45:00Z"),
      },
    });
    // Before, the series' 02:30 date showed at 03:30 beside it.
    expect(await onTheDay(user.id)).toEqual(["05:00 Moved"]);
    await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-29T02:30" },
      edited("Moved again", "2026-03-29T06:00", "2026-03-29T06:15"),
      "this",
    );
    expect(await onTheDay(user.id)).toEqual(["06:00 Moved again"]);
    expect((await getEvent(user.id, id)).overrides).toHaveLength(1);
  });
});

describe("a series whose first start is a skipped time another of its times takes (imported: 02:30 and 03:30 from 29 March)", () => {
  const both = "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30";
  const fromTheDay = { startLocal: "2026-03-29T02:30", endLocal: "2026-03-29T02:45" };

  it("is still edited and deleted as a whole from its page (its DTSTART is its first instance)", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, daily(both, fromTheDay));
    const series = await getEvent(user.id, id);
    expect(series.startLocal).toBe("2026-03-29T02:30");
    // Before, the page offered "all" only, and "all" then failed as no such date.
    expect(seriesPageScope(series, null).scopes).toContain("all");
    await updateEvent(user.id, { eventId: id }, daily(both, { ...fromTheDay, title: "Renamed" }), "all");
    expect((await getEvent(user.id, id)).title).toBe("Renamed");
    await deleteEvent(user.id, { eventId: id }, "all");
    expect(await onTheDay(user.id)).toEqual([]);
  });
});

describe("this and following from the 03:30 date of a series at 02:30 and 03:30 on the spring-forward day", () => {
  const both = "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30";

  it("deleted: that day is empty (the old series' 02:30 start, shown at 03:30, goes too), the day before is kept", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, daily(both));
    await deleteEvent(user.id, { eventId: id, occurrence: "2026-03-29T03:30" }, "following");
    expect(await onTheDay(user.id)).toEqual([]);
    expect(askedOccurrence(await getEvent(user.id, id), "2026-03-28T03:30")).toBe("2026-03-28T03:30");
  });

  it("edited: that day shows the new series' date once, and a date changed on its own at 02:30 goes with it", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, daily("FREQ=DAILY"));
    // A date changed on its own while 02:30 was its id, then the rule as stored now (see above).
    await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-29T02:30" },
      edited("Moved", "2026-03-29T05:00", "2026-03-29T05:15"),
      "this",
    );
    await prisma.event.update({ where: { id }, data: { rrule: both } });
    const newId = await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-29T03:30" },
      daily(both, { title: "Later", startLocal: "2026-03-29T03:30", endLocal: "2026-03-29T03:45" }),
      "following",
    );
    expect(await onTheDay(user.id)).toEqual(["05:00 Moved"]);
    expect((await getEvent(user.id, id)).overrides).toEqual([]);
    expect((await getEvent(user.id, newId)).overrides.map((o) => o.title)).toEqual(["Moved"]);
  });
});
