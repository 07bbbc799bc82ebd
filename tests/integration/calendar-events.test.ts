/** Calendar storage against PostgreSQL: window queries, scoped edits and deletes of series, isolation. */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { fromICalendar } from "~/calendar/ical.server";
import {
  EventNotFoundError,
  OccurrenceNotFoundError,
  createEvent,
  deleteEvent,
  getEvent,
  importEvents,
  listOccurrences,
  searchEvents,
  updateEvent,
} from "~/calendar/events.server";
import type { EventInput } from "~/calendar/schemas";
import { Temporal, isoWithOffset } from "~/calendar/time";
import { prisma } from "~/db/db.server";
import { makeUser } from "../support/accounts";
import { untilBlockedBy } from "../support/postgres";
import { countQueries } from "../support/query-counter";

const ZONE = "Europe/Berlin";

function weekly(fields: Partial<EventInput> = {}): EventInput {
  return {
    title: "Standup",
    description: "",
    location: "",
    allDay: false,
    startLocal: "2026-03-02T09:00",
    endLocal: "2026-03-02T09:30",
    timeZone: ZONE,
    rrule: "FREQ=WEEKLY;BYDAY=MO",
    reminders: [10],
    ...fields,
  };
}

/** A weekly Monday 10:00–10:30 (Europe/Berlin) series as an .ics VEVENT, for the import tests. */
function weeklyMondayVevent(uid: string, title: string): string[] {
  return [
    "BEGIN:VEVENT",
    `UID:${uid}`,
    "DTSTAMP:20260301T000000Z",
    "DTSTART;TZID=Europe/Berlin:20260302T100000",
    "DTEND;TZID=Europe/Berlin:20260302T103000",
    "RRULE:FREQ=WEEKLY;BYDAY=MO",
    `SUMMARY:${title}`,
    "END:VEVENT",
  ];
}

function icsFile(lines: string[]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", ...lines, "END:VCALENDAR", ""].join("\r\n");
}

function month(date: string) {
  const start = Temporal.PlainDate.from(date);
  return {
    start: start.toZonedDateTime(ZONE).toInstant(),
    end: start.add({ months: 1 }).toZonedDateTime(ZONE).toInstant(),
  };
}

async function shown(userId: string, date = "2026-03-01") {
  const occurrences = await listOccurrences(userId, month(date), ZONE);
  return occurrences.map((o) => `${isoWithOffset(o.start).slice(0, 16)} ${o.title}`);
}

describe("calendar events in the database", () => {
  it("finds a weekly series' occurrences in a month with one statement, at 5 or 500 events", async () => {
    const small = await makeUser({ timeZone: ZONE });
    const large = await makeUser({ timeZone: ZONE });
    await createEvent(small.id, weekly());
    await createEvent(large.id, weekly());
    for (let index = 0; index < 4; index++) {
      await createEvent(
        small.id,
        weekly({
          title: `one-off ${index}`,
          rrule: null,
          startLocal: "2026-03-10T12:00",
          endLocal: "2026-03-10T13:00",
        }),
      );
    }
    await prisma.event.createMany({
      data: Array.from({ length: 499 }, (_, index) => ({
        userId: large.id,
        uid: `bulk-${index}`,
        title: `bulk ${index}`,
        startLocal: "2025-01-01T10:00",
        endLocal: "2025-01-01T11:00",
        timeZone: ZONE,
        rangeStart: new Date("2025-01-01T09:00Z"),
        rangeEnd: new Date("2025-01-01T10:00Z"),
      })),
    });
    const few = await countQueries(() => listOccurrences(small.id, month("2026-03-01"), ZONE));
    const many = await countQueries(() => listOccurrences(large.id, month("2026-03-01"), ZONE));
    expect(few.statements).toHaveLength(1);
    expect(many.statements).toHaveLength(1);
    expect(many.result.map((o) => isoWithOffset(o.start))).toEqual([
      "2026-03-02T09:00:00+01:00",
      "2026-03-09T09:00:00+01:00",
      "2026-03-16T09:00:00+01:00",
      "2026-03-23T09:00:00+01:00",
      "2026-03-30T09:00:00+02:00",
    ]);
  });

  it("edits one occurrence (this event): an override, shown once, listed with the series", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, weekly());
    const overrideId = await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-16T09:00" },
      weekly({ title: "Standup (moved)", startLocal: "2026-03-17T11:00", endLocal: "2026-03-17T11:30", rrule: null }),
      "this",
    );
    expect(overrideId).not.toBe(id);
    expect(await shown(user.id)).toEqual([
      "2026-03-02T09:00 Standup",
      "2026-03-09T09:00 Standup",
      "2026-03-17T11:00 Standup (moved)",
      "2026-03-23T09:00 Standup",
      "2026-03-30T09:00 Standup",
    ]);
    const series = await getEvent(user.id, id);
    expect(series.overrides.map((o) => o.recurrenceId)).toEqual(["2026-03-16T09:00"]);
    // Editing the override again updates it rather than adding another.
    await updateEvent(
      user.id,
      { eventId: overrideId },
      weekly({ title: "Standup (again)", startLocal: "2026-03-17T12:00", endLocal: "2026-03-17T12:30", rrule: null }),
      "this",
    );
    expect((await getEvent(user.id, id)).overrides).toHaveLength(1);
  });

  it("edits all events keeping the exceptions, moved with the series", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, weekly());
    await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-16T09:00" },
      weekly({ title: "Moved", startLocal: "2026-03-16T15:00", endLocal: "2026-03-16T15:30", rrule: null }),
      "this",
    );
    await deleteEvent(user.id, { eventId: id, occurrence: "2026-03-23T09:00" }, "this");
    // From the 9 March occurrence: one hour later, every week.
    await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-09T09:00" },
      weekly({ title: "Team standup", startLocal: "2026-03-09T10:00", endLocal: "2026-03-09T10:30" }),
      "all",
    );
    expect(await shown(user.id)).toEqual([
      "2026-03-02T10:00 Team standup",
      "2026-03-09T10:00 Team standup",
      "2026-03-16T15:00 Moved",
      "2026-03-30T10:00 Team standup",
    ]);
  });

  it("edits this and following: the series splits, the new part gets a new UID and the later exceptions", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, weekly({ rrule: "FREQ=WEEKLY;BYDAY=MO;COUNT=5" }));
    await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-23T09:00" },
      weekly({ title: "Late", startLocal: "2026-03-23T18:00", endLocal: "2026-03-23T18:30", rrule: null }),
      "this",
    );
    const newId = await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-16T09:00" },
      weekly({
        title: "Retro",
        startLocal: "2026-03-16T14:00",
        endLocal: "2026-03-16T15:00",
        rrule: "FREQ=WEEKLY;BYDAY=MO;COUNT=5",
      }),
      "following",
    );
    expect(await shown(user.id)).toEqual([
      "2026-03-02T09:00 Standup",
      "2026-03-09T09:00 Standup",
      "2026-03-16T14:00 Retro",
      "2026-03-23T18:00 Late",
      "2026-03-30T14:00 Retro",
    ]);
    const [oldSeries, newSeries] = await Promise.all([getEvent(user.id, id), getEvent(user.id, newId)]);
    expect(newSeries.uid).not.toBe(oldSeries.uid);
    // Five in all: two before the split, three after.
    expect(newSeries.rrule).toContain("COUNT=3");
    expect(newSeries.overrides.map((o) => [o.recurrenceId, o.uid])).toEqual([["2026-03-23T14:00", newSeries.uid]]);
    expect(await shown(user.id, "2026-04-01")).toEqual([]);
  });

  it("deletes this and following: the series ends before it and later exceptions go", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, weekly());
    await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-30T09:00" },
      weekly({ title: "x", startLocal: "2026-03-31T09:00", endLocal: "2026-03-31T10:00", rrule: null }),
      "this",
    );
    await deleteEvent(user.id, { eventId: id, occurrence: "2026-03-16T09:00" }, "following");
    expect(await shown(user.id)).toEqual(["2026-03-02T09:00 Standup", "2026-03-09T09:00 Standup"]);
    const series = await getEvent(user.id, id);
    expect(series.overrides).toEqual([]);
    // The series no longer reaches April, so April's window query does not even fetch it.
    const row = await prisma.event.findUniqueOrThrow({ where: { id } });
    expect(row.rangeEnd!.getTime()).toBeLessThan(Date.parse("2026-03-18T00:00Z"));
  });

  it("deleting all removes the series and its overrides", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, weekly());
    const overrideId = await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-09T09:00" },
      weekly({ rrule: null, startLocal: "2026-03-09T10:00", endLocal: "2026-03-09T11:00" }),
      "this",
    );
    await deleteEvent(user.id, { eventId: overrideId }, "all");
    expect(await prisma.event.count({ where: { userId: user.id } })).toBe(0);
  });

  it("an event deleted or changed several times at once: one wins, the others find it gone, none fails", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const single = await createEvent(user.id, weekly({ rrule: null }));
    const deletes = await Promise.allSettled(
      Array.from({ length: 6 }, () => deleteEvent(user.id, { eventId: single.id }, "all")),
    );
    const refused = deletes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason as unknown] : []));
    expect(refused.length).toBeLessThan(6);
    for (const reason of refused) expect(reason).toBeInstanceOf(EventNotFoundError);
    const edited = await createEvent(user.id, weekly({ rrule: null }));
    const race = await Promise.allSettled([
      deleteEvent(user.id, { eventId: edited.id }, "all"),
      ...Array.from({ length: 5 }, () => updateEvent(user.id, { eventId: edited.id }, weekly({ rrule: null }), "all")),
    ]);
    for (const outcome of race) {
      if (outcome.status === "rejected") expect(outcome.reason).toBeInstanceOf(EventNotFoundError);
    }
    expect(await prisma.event.count({ where: { userId: user.id } })).toBe(0);
  });

  it("an occurrence edit sent twice at once makes one exception, and a split happens once", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, weekly());
    const moved = weekly({ title: "Moved", startLocal: "2026-03-10T11:00", endLocal: "2026-03-10T12:00", rrule: null });
    const target = { eventId: id, occurrence: "2026-03-09T09:00" };
    await Promise.all([1, 2].map(() => updateEvent(user.id, target, moved, "this")));
    expect(await prisma.event.count({ where: { seriesId: id } })).toBe(1);
    const split = { eventId: id, occurrence: "2026-03-23T09:00" };
    const later = weekly({ title: "Later", startLocal: "2026-03-23T10:00", endLocal: "2026-03-23T11:00" });
    const outcomes = await Promise.allSettled([1, 2].map(() => updateEvent(user.id, split, later, "following")));
    // The second finds the occurrence gone from the series the first one ended.
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    for (const outcome of outcomes)
      if (outcome.status === "rejected") expect(outcome.reason).toBeInstanceOf(OccurrenceNotFoundError);
    expect(await prisma.event.count({ where: { userId: user.id, seriesId: null } })).toBe(2);
  });

  it("an import of a series being edited waits for the edit instead of deadlocking with it", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(user.id, weekly());
    await updateEvent(
      user.id,
      { eventId: id, occurrence: "2026-03-09T09:00" },
      weekly({ title: "Moved", rrule: null }),
      "this",
    );
    // The series' row indexed again after its exception's (a later write to its span): a delete by UID
    // now meets the exception first.
    await prisma.$executeRaw`UPDATE "Event" SET "rangeStart" = "rangeStart" - interval '1 minute' WHERE id = ${id}`;
    const { uid } = await prisma.event.findUniqueOrThrow({ where: { id }, select: { uid: true } });
    const file = icsFile(weeklyMondayVevent(uid, "Imported standup"));
    // An edit under way, as lockFamily starts one: the series locked, its exception written after.
    const edit = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await edit.connect();
    try {
      await edit.query("BEGIN");
      await edit.query(`SELECT id FROM "Event" WHERE id = $1 FOR NO KEY UPDATE`, [id]);
      const imported = importEvents(user.id, fromICalendar(file, ZONE));
      await untilBlockedBy(edit);
      // Without the import waiting for the series first, this waits for the import, which waits for
      // this transaction: PostgreSQL ends one of them (40P01) after deadlock_timeout.
      await edit.query("SET LOCAL lock_timeout = '3s'");
      await edit.query(`UPDATE "Event" SET title = 'Moved again' WHERE "seriesId" = $1`, [id]);
      await edit.query("COMMIT");
      const report = await imported;
      expect(report.updated.map((event) => event.uid)).toEqual([uid]);
    } finally {
      await edit.end();
    }
    const rows = await prisma.event.findMany({ where: { userId: user.id }, select: { title: true, seriesId: true } });
    expect(rows).toEqual([{ title: "Imported standup", seriesId: null }]);
  });

  it("the same new event imported twice at once is stored once: the second import replaces the first's copy", async () => {
    const user = await makeUser({ timeZone: ZONE });
    const uid = `conference-${user.id}@example.test`;
    const file = (title: string) =>
      icsFile([
        ...weeklyMondayVevent(uid, title),
        "BEGIN:VEVENT",
        `UID:${uid}`,
        "DTSTAMP:20260301T000000Z",
        "RECURRENCE-ID;TZID=Europe/Berlin:20260309T100000",
        "DTSTART;TZID=Europe/Berlin:20260309T120000",
        "DTEND;TZID=Europe/Berlin:20260309T123000",
        `SUMMARY:${title} (moved)`,
        "END:VEVENT",
      ]);
    // Both imports past their look for a copy to replace (there is none yet) before either commits: the
    // person's row, which a new event's foreign key check shares, held until both wait for it (or, with
    // the unique index, the second for the first one's uncommitted copy).
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    let reports: Awaited<ReturnType<typeof importEvents>>[];
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT id FROM "User" WHERE id = $1 FOR UPDATE`, [user.id]);
      const imports = Promise.all(
        ["First", "Second"].map((title) => importEvents(user.id, fromICalendar(file(title), ZONE))),
      );
      await untilBlockedBy(holder, 20_000, 2);
      await holder.query("COMMIT");
      reports = await imports;
    } finally {
      await holder.end();
    }
    // One import created it; the other found that copy once it was there and replaced it.
    expect(reports.map((report) => [report.created.length, report.updated.length]).sort()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    const rows = await prisma.event.findMany({
      where: { userId: user.id },
      select: { id: true, title: true, seriesId: true },
      orderBy: { seriesId: { sort: "asc", nulls: "first" } },
    });
    expect(rows).toHaveLength(2);
    expect(rows[1]!.seriesId).toBe(rows[0]!.id);
    expect([
      ["First", "First (moved)"],
      ["Second", "Second (moved)"],
    ]).toContainEqual(rows.map((row) => row.title));
    expect(await shown(user.id)).toHaveLength(5);
    // The database refuses a second copy of one of my events by UID, whoever writes it.
    const head = await prisma.event.findFirstOrThrow({ where: { userId: user.id, seriesId: null } });
    const { id: _id, ...copy } = head;
    await expect(prisma.event.create({ data: copy })).rejects.toMatchObject({ code: "P2002" });
  });

  it("an import PostgreSQL ends to break a deadlock runs again instead of failing", async () => {
    // It was retried on a unique conflict only: a deadlock (40P01) or a serialization failure gave a 500.
    const user = await makeUser({ timeZone: ZONE });
    const first = await createEvent(user.id, weekly({ title: "First" }));
    const second = await createEvent(user.id, weekly({ title: "Second" }));
    const [low, high] = [first.id, second.id].sort();
    const uids = await prisma.event.findMany({ where: { userId: user.id }, select: { uid: true } });
    const file = icsFile(uids.flatMap(({ uid }) => weeklyMondayVevent(uid, "Imported")));
    // Another transaction holds the row the import locks second, then asks for the one it locked first.
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query("BEGIN");
      // The import's session, not this one, notices the deadlock and is the one PostgreSQL ends.
      await other.query("SET LOCAL deadlock_timeout = '20s'");
      await other.query(`SELECT id FROM "Event" WHERE id = $1 FOR UPDATE`, [high]);
      const imported = importEvents(user.id, fromICalendar(file, ZONE));
      const settled = imported.then(
        () => "done",
        () => "failed",
      );
      await untilBlockedBy(other);
      await other.query(`SELECT id FROM "Event" WHERE id = $1 FOR UPDATE`, [low]);
      await other.query("COMMIT");
      expect(await settled).toBe("done");
      const report = await imported;
      expect(report.updated.map((event) => event.uid).sort()).toEqual(uids.map(({ uid }) => uid).sort());
    } finally {
      await other.end();
    }
    const titles = await prisma.event.findMany({ where: { userId: user.id }, select: { title: true } });
    expect(titles).toEqual([{ title: "Imported" }, { title: "Imported" }]);
  });

  it("two imports adding the same new events in opposite orders both go through, though they deadlock", async () => {
    // The deadlock arises in an ordinary statement (a create meets the other import's uncommitted copy in
    // the unique index), which the driver adapter reports without a Prisma code: it was not retried (500).
    const user = await makeUser({ timeZone: ZONE });
    const [a, b] = ["a", "b"].map((name) => `${name}-${user.id}@example.test`);
    const file = (title: string, uids: string[]) => icsFile(uids.flatMap((uid) => weeklyMondayVevent(uid, title)));
    // Both imports create their first event and then wait at its foreign key check for the person's row,
    // held here; released, each creates its second event, the other's first: a deadlock.
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT id FROM "User" WHERE id = $1 FOR UPDATE`, [user.id]);
      const imports = Promise.allSettled([
        importEvents(user.id, fromICalendar(file("Forwards", [a!, b!]), ZONE)),
        importEvents(user.id, fromICalendar(file("Backwards", [b!, a!]), ZONE)),
      ]);
      await untilBlockedBy(holder, 20_000, 2);
      await holder.query("COMMIT");
      const settled = await imports;
      expect(settled.map((result) => result.status)).toEqual(["fulfilled", "fulfilled"]);
    } finally {
      await holder.end();
    }
    // One import's events, once each: the one PostgreSQL ended ran again and replaced the other's (or
    // they were replaced by it).
    const rows = await prisma.event.findMany({ where: { userId: user.id }, select: { title: true } });
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((row) => row.title)).size).toBe(1);
  });

  it("an import that replaces a new event another import committed meanwhile counts it as updated", async () => {
    // The import looks for copies to replace (and locks them) first; a copy of a new UID that another
    // import commits after that look is still replaced, by its delete: it was counted as created.
    const user = await makeUser({ timeZone: ZONE });
    const [kept, fresh] = ["kept", "fresh"].map((name) => `${name}-${user.id}@example.test`);
    await importEvents(user.id, fromICalendar(icsFile(weeklyMondayVevent(kept!, "Kept")), ZONE));
    const keptRow = await prisma.event.findFirstOrThrow({ where: { userId: user.id, uid: kept! } });
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    let report: Awaited<ReturnType<typeof importEvents>>;
    try {
      // The first import waits in its look for copies (on the kept event's row, held here): its look
      // has already been taken, without the fresh UID, when the second import commits that UID.
      await holder.query("BEGIN");
      await holder.query(`SELECT id FROM "Event" WHERE id = $1 FOR UPDATE`, [keptRow.id]);
      const both = icsFile([...weeklyMondayVevent(kept!, "Both"), ...weeklyMondayVevent(fresh!, "Both")]);
      const first = importEvents(user.id, fromICalendar(both, ZONE));
      await untilBlockedBy(holder);
      const second = await importEvents(user.id, fromICalendar(icsFile(weeklyMondayVevent(fresh!, "Other")), ZONE));
      expect(second.created.map((event) => event.uid)).toEqual([fresh]);
      await holder.query("COMMIT");
      report = await first;
    } finally {
      await holder.end();
    }
    expect(report.created).toEqual([]);
    expect(report.updated.map((event) => event.uid).sort()).toEqual([kept, fresh].sort());
    const rows = await prisma.event.findMany({ where: { userId: user.id }, select: { uid: true, title: true } });
    expect(rows.sort((a, b) => a.uid.localeCompare(b.uid))).toEqual(
      [
        { uid: kept, title: "Both" },
        { uid: fresh, title: "Both" },
      ].sort((a, b) => a.uid!.localeCompare(b.uid!)),
    );
  });

  it("another person's events are not found, not listed, not changed", async () => {
    const owner = await makeUser({ timeZone: ZONE });
    const other = await makeUser({ timeZone: ZONE });
    const { id } = await createEvent(owner.id, weekly({ title: "Secret plan" }));
    await expect(getEvent(other.id, id)).rejects.toBeInstanceOf(EventNotFoundError);
    await expect(updateEvent(other.id, { eventId: id }, weekly(), "all")).rejects.toBeInstanceOf(EventNotFoundError);
    await expect(deleteEvent(other.id, { eventId: id }, "all")).rejects.toBeInstanceOf(EventNotFoundError);
    expect(await shown(other.id)).toEqual([]);
    expect(await searchEvents(other.id, "secret")).toEqual([]);
    expect((await searchEvents(owner.id, "SECRET plan")).map((hit) => hit.id)).toEqual([id]);
    expect(await prisma.event.count({ where: { id } })).toBe(1);
  });
});

describe("calendar views' SQL statements", () => {
  it("each view costs the same few statements at 3 or 300 events (50 of them series)", async () => {
    const { loader } = await import("~/routes/calendar._index");
    const small = await makeUser({ timeZone: ZONE });
    const large = await makeUser({ timeZone: ZONE });
    await createEvent(small.id, weekly());
    await createEvent(small.id, weekly({ rrule: null }));
    await createEvent(small.id, weekly({ rrule: "FREQ=DAILY;COUNT=20" }));
    for (let index = 0; index < 50; index++) {
      await createEvent(
        large.id,
        weekly({ title: `series ${index}`, rrule: index % 2 ? "FREQ=DAILY" : "FREQ=WEEKLY;BYDAY=MO,WE,FR" }),
      );
    }
    await prisma.event.createMany({
      data: Array.from({ length: 250 }, (_, index) => ({
        userId: large.id,
        uid: `one-off-${index}`,
        title: `one-off ${index}`,
        startLocal: `2026-03-${String((index % 28) + 1).padStart(2, "0")}T${String(8 + (index % 10)).padStart(2, "0")}:00`,
        endLocal: `2026-03-${String((index % 28) + 1).padStart(2, "0")}T${String(9 + (index % 10)).padStart(2, "0")}:00`,
        timeZone: ZONE,
        rangeStart: new Date(Date.UTC(2026, 2, (index % 28) + 1, 7 + (index % 10))),
        rangeEnd: new Date(Date.UTC(2026, 2, (index % 28) + 1, 8 + (index % 10))),
      })),
    });
    const run = (user: typeof small, view: string) =>
      countQueries(() =>
        loader({
          request: new Request(`http://localhost/calendar?view=${view}&date=2026-03-11`),
          params: {},
          context: { auth: { user, session: { id: "s", method: "password", persistent: false } } } as never,
        }),
      );
    for (const view of ["month", "week", "day", "agenda"]) {
      const few = await run(small, view);
      const many = await run(large, view);
      expect(many.statements.length, view).toBe(few.statements.length);
      // The window query and the feed-link status.
      expect(many.statements.length, view).toBeLessThanOrEqual(2);
    }
  }, 120_000);
});
