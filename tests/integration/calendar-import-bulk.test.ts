/**
 * A large .ics import against PostgreSQL: over the cap it is refused before anything is written; a
 * realistic one imports every event, in few statements (the whole import is one short transaction:
 * on the embedded database it blocks every other request while it runs). Prints how long imports
 * of 1,000 and MAX_IMPORT_EVENTS events take (a measurement, not an assertion).
 */
import { describe, expect, it } from "vitest";
import { ICalendarError, fromICalendar } from "~/calendar/ical.server";
import { ImportFailedError, importEvents } from "~/calendar/events.server";
import { Prisma } from "~/generated/prisma/client";
import { MAX_IMPORT_EVENTS } from "~/calendar/import-limits";
import { prisma } from "~/db/db.server";
import { makeUser } from "../support/accounts";
import { countQueries } from "../support/query-counter";

const ZONE = "Europe/Berlin";

/** `count` plain one-off events, as the QA pass's files: UID bulk<i>@t, all at 2027-01-01 10:00 UTC. */
function bulkFile(count: number, title = (i: number) => `bulk ${i}`): string {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"];
  for (let i = 0; i < count; i++) {
    lines.push(
      "BEGIN:VEVENT",
      `UID:bulk${i}@t`,
      "DTSTAMP:20260101T000000Z",
      "DTSTART:20270101T100000Z",
      `SUMMARY:${title(i)}`,
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR", "");
  return lines.join("\r\n");
}

/** Imports a file, timing its reading and its storing apart. */
async function timedImport(userId: string, file: string) {
  const started = performance.now();
  const parsed = fromICalendar(file, ZONE);
  const read = performance.now();
  const report = await importEvents(userId, parsed);
  return { report, ms: `${Math.round(read - started)} ms read + ${Math.round(performance.now() - read)} ms stored` };
}

describe("large imports", () => {
  it("refuses a file over the cap before anything is written, saying how many it takes", async () => {
    const user = await makeUser();
    const file = bulkFile(MAX_IMPORT_EVENTS + 1);
    expect(() => fromICalendar(file, ZONE)).toThrow(ICalendarError);
    expect(() => fromICalendar(file, ZONE)).toThrow(
      `It has ${(MAX_IMPORT_EVENTS + 1).toLocaleString("en-GB")} events: import at most ${MAX_IMPORT_EVENTS.toLocaleString("en-GB")} at a time.`,
    );
    expect(await prisma.event.count({ where: { userId: user.id } })).toBe(0);
  });

  it("a title, place or notes cut at their limit in the middle of an emoji is stored, not refused by the database", async () => {
    const user = await makeUser();
    // 199 letters then 😀 (two UTF-16 units): the cut at 200 falls between them.
    const long = "a".repeat(199) + "😀 and more";
    const file = bulkFile(2, () => long).replace(
      "SUMMARY:",
      `LOCATION:${"b".repeat(299)}😀\r\nDESCRIPTION:${"c".repeat(4999)}😀\r\nSUMMARY:`,
    );
    const report = await importEvents(user.id, fromICalendar(file, ZONE));
    expect(report.created).toHaveLength(2);
    const stored = await prisma.event.findMany({ where: { userId: user.id }, orderBy: { uid: "asc" } });
    expect(stored.map((event) => event.title)).toEqual(["a".repeat(199), "a".repeat(199)]);
    expect(stored[0]!.location).toBe("b".repeat(299));
    expect(stored[0]!.description).toBe("c".repeat(4999));
  });

  it(
    "imports 1,000 events, and the cap's worth, each once and correctly, in a few statements",
    { timeout: 120_000 },
    async () => {
      const user = await makeUser();
      const { result: small, statements } = await countQueries(() => timedImport(user.id, bulkFile(1_000)));
      expect(small.report.created).toHaveLength(1_000);
      // Batched: not one statement (or more) per event.
      expect(statements.length).toBeLessThan(50);
      const stored = await prisma.event.findMany({ where: { userId: user.id }, select: { uid: true, title: true } });
      expect(stored).toHaveLength(1_000);
      expect(new Set(stored.map((row) => row.uid)).size).toBe(1_000);
      expect(stored.find((row) => row.uid === "bulk999@t")?.title).toBe("bulk 999");

      const other = await makeUser();
      const large = await timedImport(other.id, bulkFile(MAX_IMPORT_EVENTS));
      expect(large.report.created).toHaveLength(MAX_IMPORT_EVENTS);
      expect(await prisma.event.count({ where: { userId: other.id } })).toBe(MAX_IMPORT_EVENTS);

      // The same file again, titles changed: every event updated in place.
      const before = await prisma.event.findMany({ where: { userId: other.id }, select: { id: true, uid: true } });
      const again = await timedImport(
        other.id,
        bulkFile(MAX_IMPORT_EVENTS, (i) => `changed ${i}`),
      );
      expect(again.report.updated).toHaveLength(MAX_IMPORT_EVENTS);
      const after = await prisma.event.findMany({
        where: { userId: other.id },
        select: { id: true, uid: true, title: true },
      });
      expect(new Map(after.map((row) => [row.uid, row.id]))).toEqual(new Map(before.map((row) => [row.uid, row.id])));
      expect(after.find((row) => row.uid === "bulk7@t")?.title).toBe("changed 7");
      process.stdout.write(
        `import timings (PostgreSQL): 1,000 events ${small.ms}; ${MAX_IMPORT_EVENTS} events ${large.ms}; ` +
          `${MAX_IMPORT_EVENTS} updated ${again.ms}\n`,
      );
    },
  );

  it(
    "reads which of a file's events I deleted here in one statement, not one per event",
    { timeout: 120_000 },
    async () => {
      const user = await makeUser();
      await importEvents(user.id, fromICalendar(bulkFile(1_000), ZONE));
      // 300 of them deleted here, as a delete records them (rememberDeletedImport).
      const deleted = Array.from({ length: 300 }, (_, i) => `bulk${i * 3}@t`);
      await prisma.event.deleteMany({ where: { userId: user.id, uid: { in: deleted } } });
      await prisma.deletedImportedEvent.createMany({ data: deleted.map((uid) => ({ userId: user.id, uid })) });

      const { result: again, statements } = await countQueries(() =>
        importEvents(user.id, fromICalendar(bulkFile(1_000), ZONE)),
      );
      expect([again.created.length, again.updated.length, again.deletedHere.length]).toEqual([0, 700, 300]);
      expect(statements.length).toBeLessThan(50);
      expect(statements.filter((sql) => sql.includes('"DeletedImportedEvent"'))).toHaveLength(1);

      const { result: back, statements: restoring } = await countQueries(() =>
        importEvents(user.id, fromICalendar(bulkFile(1_000), ZONE), undefined, { restoreDeleted: true }),
      );
      expect([back.created.length, back.updated.length, back.deletedHere.length]).toEqual([300, 700, 0]);
      expect(restoring.length).toBeLessThan(50);
      expect(restoring.filter((sql) => sql.includes('"DeletedImportedEvent"'))).toHaveLength(1);
      expect(await prisma.event.count({ where: { userId: user.id } })).toBe(1_000);
      expect(await prisma.deletedImportedEvent.count({ where: { userId: user.id } })).toBe(0);
    },
  );

  it("an import the database fails (its transaction timed out) is an ImportFailedError, with nothing stored", async () => {
    const user = await makeUser();
    const expired = new Prisma.PrismaClientKnownRequestError(
      "Transaction API error: A query cannot be executed on an expired transaction. The timeout for this transaction was 30000 ms.",
      { code: "P2028", clientVersion: Prisma.prismaVersion.client },
    );
    const failed = importEvents(user.id, fromICalendar(bulkFile(3), ZONE), () => Promise.reject(expired));
    await expect(failed).rejects.toThrow(ImportFailedError);
    await expect(failed).rejects.toThrow(
      "Your calendar could not be saved just now. Nothing was imported; try again in a moment.",
    );
    expect(await prisma.event.count({ where: { userId: user.id } })).toBe(0);
  });
});
