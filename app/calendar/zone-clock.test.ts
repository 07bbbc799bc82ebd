import { describe, expect, it } from "vitest";
import { Temporal, isoWithOffset, parseWall, toZoned } from "./time";
import { DAY_MS, formatWallMs, hourMinute, wallMsOf, zoneClock } from "./zone-clock";

// The zone clock replaces Temporal in the views' hot paths: it must give Temporal's answers exactly.
const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Sydney",
  "Asia/Kolkata",
  "Pacific/Auckland",
  "America/Santiago", // DST changes at midnight
  "Australia/Lord_Howe", // half-hour DST
  "Pacific/Chatham", // +12:45 / +13:45
  "America/St_Johns", // -03:30
  "Asia/Kathmandu", // +05:45
  "Pacific/Apia", // skipped a whole day in 2011
  "Africa/Casablanca", // DST suspended during Ramadan
  "UTC",
];

/** The wall clocks (wall ms, in the zone) at which a zone's offset changes between two dates. */
function transitions(zone: string, from: string, to: string): number[] {
  const end = Temporal.PlainDate.from(to).toZonedDateTime(zone);
  const result: number[] = [];
  for (
    let at = Temporal.PlainDate.from(from).toZonedDateTime(zone).getTimeZoneTransition("next");
    at && Temporal.ZonedDateTime.compare(at, end) < 0;
    at = at.getTimeZoneTransition("next")
  ) {
    result.push(wallMsOf(at.toPlainDateTime().toString({ smallestUnit: "minute" })));
  }
  return result;
}

const plain = (wallMs: number) =>
  Temporal.Instant.fromEpochMilliseconds(wallMs).toZonedDateTimeISO("UTC").toPlainDateTime();

describe("zone clock", () => {
  it("names the same instant as Temporal for every wall time around DST changes (gaps forward, overlaps earlier)", () => {
    const mismatches: string[] = [];
    for (const zone of ZONES) {
      const clock = zoneClock(zone);
      // Two days either side of every change in 2026 (and Samoa's skipped day in 2011), and a year's turn.
      const centres = [
        wallMsOf("2026-12-31T23:00"),
        ...transitions(zone, "2011-12-01", "2012-01-31"),
        ...transitions(zone, "2026-01-01", "2027-01-01"),
      ];
      if (!["Asia/Kolkata", "UTC", "Asia/Kathmandu"].includes(zone))
        expect([zone, centres.length > 1]).toEqual([zone, true]);
      for (const centre of centres) {
        for (let wall = centre - 2 * DAY_MS; wall < centre + 2 * DAY_MS; wall += 15 * 60_000) {
          const expected = toZoned(plain(wall), zone);
          const epoch = clock.epochAt(wall);
          const got = [epoch, clock.iso(epoch), clock.wallAt(epoch)].join(" ");
          const want = [
            expected.epochMilliseconds,
            isoWithOffset(expected),
            expected.toPlainDateTime().toZonedDateTime("UTC").epochMilliseconds,
          ].join(" ");
          if (got !== want) mismatches.push(`${zone} ${formatWallMs(wall, false)}: ${got} ≠ ${want}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("reads offsets far from today, before 1900 (seconds in the offset) and across year ends", () => {
    const clock = zoneClock("Europe/Amsterdam");
    for (const instant of [
      "1890-06-01T12:00:00Z",
      "1937-07-01T00:00:00Z",
      "2100-07-01T00:00:00Z",
      "2026-12-31T23:30:00Z",
    ]) {
      const zoned = Temporal.Instant.from(instant).toZonedDateTimeISO("Europe/Amsterdam");
      expect(clock.iso(zoned.epochMilliseconds)).toBe(isoWithOffset(zoned));
    }
  });

  it("parses and writes stored wall-clock values as Temporal does, and rejects impossible dates", () => {
    for (const value of ["2026-03-29T09:00", "2026-03-29", "0001-01-01T00:00", "0099-12-31"]) {
      const allDay = value.length === 10;
      expect(formatWallMs(wallMsOf(value), allDay)).toBe(value);
    }
    expect(() => wallMsOf("2026-02-30T09:00")).toThrow(RangeError);
    // Every month end of a leap year and a common one, and the day after (impossible): as Temporal reads them.
    for (const year of [2027, 2028, 2100]) {
      for (let month = 1; month <= 12; month++) {
        for (const day of [28, 29, 30, 31, 32]) {
          for (const time of ["", "T00:00", "T23:59", "T24:00", "T12:60"]) {
            const value = `${year}-${String(month).padStart(2, "0")}-${day}${time}`;
            let expected: number | "RangeError";
            try {
              expected = parseWall(value).toZonedDateTime("UTC").epochMilliseconds;
            } catch (error) {
              if (!(error instanceof RangeError)) throw error;
              expected = "RangeError";
            }
            let got: number | "RangeError";
            try {
              got = wallMsOf(value);
            } catch (error) {
              if (!(error instanceof RangeError)) throw error;
              got = "RangeError";
            }
            expect([value, got]).toEqual([value, expected]);
          }
        }
      }
    }
    // Read and written by arithmetic: the same as Date's across leap years, centuries and eras.
    const mismatches: string[] = [];
    const first = wallMsOf("0100-01-01");
    const last = wallMsOf("9999-12-31");
    for (let wall = first, step = 0; wall <= last; wall += (step % 3 ? 1 : 97) * DAY_MS + 61_000, step++) {
      const iso = new Date(wall).toISOString();
      if (formatWallMs(wall, false) !== iso.slice(0, 16))
        mismatches.push(`${iso} written ${formatWallMs(wall, false)}`);
      if (formatWallMs(wall, true) !== iso.slice(0, 10)) mismatches.push(`${iso} written ${formatWallMs(wall, true)}`);
      const minute = wall - (((wall % 60_000) + 60_000) % 60_000);
      if (wallMsOf(iso.slice(0, 16)) !== minute) mismatches.push(`${iso} read ${wallMsOf(iso.slice(0, 16))}`);
    }
    expect(mismatches).toEqual([]);
    expect(formatWallMs(wallMsOf("0000-01-01T00:00"), false)).toBe("0000-01-01T00:00");
    expect(hourMinute(wallMsOf("2026-03-29T23:45"))).toBe("23:45");
    expect(hourMinute(wallMsOf("1969-12-31T23:45"))).toBe("23:45");
    expect(wallMsOf("2026-03-30") - wallMsOf("2026-03-29")).toBe(DAY_MS);
  });
});
